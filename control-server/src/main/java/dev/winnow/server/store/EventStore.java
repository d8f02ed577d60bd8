package dev.winnow.server.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winnow.protocol.Alarm;
import dev.winnow.protocol.CommandResult;
import dev.winnow.protocol.RejectEvent;
import dev.winnow.protocol.Stats;
import dev.winnow.protocol.Status;
import dev.winnow.protocol.Topic;
import dev.winnow.protocol.WireCodec;
import dev.winnow.protocol.WireMessage;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Writes ingested messages and answers the pages' questions. SQL is plain enough for both H2
 * (PostgreSQL mode) and PostgreSQL. Each id is stored once: a batch first looks up which of its
 * ids exist, then inserts only the new ones; should another writer insert the same id in between,
 * the unique key refuses it and the whole batch is retried. On PostgreSQL the rejections, the bulk, take
 * another way to the same rows ({@link PgRejections}): {@code COPY} straight into the table, and when that
 * meets an id stored before, again through a staging table and {@code INSERT ... ON CONFLICT (id) DO
 * NOTHING}; H2 keeps the lookup and multi-row {@code INSERT}s.
 */
public final class EventStore {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_ATTEMPTS = 3;
    private static final int IN_CHUNK = 500;

    private final Database db;

    public EventStore(final Database db) {
        this.db = db;
    }

    public Database database() {
        return db;
    }

    // ------------------------------------------------------------------ write

    /** Stores a batch in one transaction; returns only after commit. */
    public BatchResult store(final List<Inbound> batch, final Instant receivedAt) throws SQLException {
        SQLException last = null;
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            try (Connection c = db.connection()) {
                c.setAutoCommit(false);
                try {
                    // the first attempt takes PostgreSQL's quick way, which fails on an id stored before
                    final BatchResult r = write(c, batch, receivedAt, attempt == 1);
                    c.commit();
                    return r;
                } catch (SQLException | RuntimeException e) {
                    c.rollback();
                    if (e instanceof SQLException se && isUniqueViolation(se)) {
                        last = se;
                        continue;
                    }
                    throw e;
                } finally {
                    c.setAutoCommit(true);
                }
            }
        }
        throw last;
    }

    /**
     * True when storing failed because of what was stored, not because of the database's state: a value it cannot
     * hold (SQLSTATE class 22) or a broken constraint (class 23, other than an id stored before). Retrying the same
     * messages fails the same way.
     */
    public static boolean isRefusal(final Exception e) {
        if (!(e instanceof SQLException se)) {
            return e instanceof RuntimeException;
        }
        for (SQLException s = se; s != null; s = s.getNextException()) {
            final String state = s.getSQLState();
            if (state != null && (state.startsWith("22") || state.startsWith("23")) && !"23505".equals(state)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Keeps a message the database refused, whole, with the reason, and raises a warning on its device's line
     * ({@link #DEAD_LETTER_CAUSE}) until it is stored again.
     *
     * @throws SQLException when it cannot be written either (the database is down: try again later)
     */
    public void deadLetter(final Inbound message, final Instant receivedAt, final String error) throws SQLException {
        try (Connection c = db.connection();
             PreparedStatement ps = c.prepareStatement(
                     "INSERT INTO ingest_dead_letters (received_at, topic, payload, error) VALUES (?, ?, ?, ?)")) {
            ps.setObject(1, receivedAt.atOffset(ZoneOffset.UTC));
            ps.setString(2, message.topic().toString());
            ps.setBytes(3, WireCodec.encode(message.message()));
            ps.setString(4, error.length() > 2048 ? error.substring(0, 2048) : error);
            ps.executeUpdate();
        }
        final Topic t = message.topic();
        final String said = error.replaceAll("\\p{Cntrl}", " ");
        final String kind = t.kind().name().toLowerCase(Locale.ROOT).replace('_', ' ');
        raiseOrClear(deadLetterAlarm(t, receivedAt, Alarm.State.RAISED, "The database refused a " + kind
                + " message from this device: " + (said.length() > 600 ? said.substring(0, 600) + "…" : said)
                + ". It is kept on the fleet page (dead letters): store it again there once the cause is fixed."),
                receivedAt);
    }

    /**
     * Stores the server's own alarm about a device without touching the device's last-seen time (the device did not
     * send it). The dead letter is what must not be lost: an alarm the database refuses too is logged, not thrown.
     */
    private void raiseOrClear(final Inbound alarm, final Instant at) {
        try (Connection c = db.connection()) {
            insertAlarms(c, Map.of(((Alarm) alarm.message()).id(), alarm), Set.of(), ts(at));
        } catch (SQLException | RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(EventStore.class)
                    .warn("cannot store the dead-letter alarm for {}: {}", alarm.topic(), e.toString());
        }
    }

    /**
     * The alarm cause a refused message raises on its device's line, so someone looks at it; it clears when every
     * refused message of that device has been stored again.
     */
    public static final String DEAD_LETTER_CAUSE = "ingest_refused";

    private static Inbound deadLetterAlarm(final Topic about, final Instant time, final Alarm.State state,
                                           final String message) {
        final Alarm alarm = new Alarm("server-" + java.util.UUID.randomUUID(), time, state, Alarm.Severity.WARNING,
                DEAD_LETTER_CAUSE, message, null);
        return new Inbound(Topic.of(about.site(), about.line(), about.device(), dev.winnow.protocol.Kind.ALARM), alarm);
    }

    /** A message the database refused, as kept: its payload is the JSON the wire codec writes. */
    public record DeadLetter(long id, Instant receivedAt, String topic, String payload, String error) {
    }

    /** The latest messages kept by {@link #deadLetter}, newest first. */
    public List<DeadLetter> deadLetters(final int limit) throws SQLException {
        final List<DeadLetter> out = new ArrayList<>();
        try (Connection c = db.connection();
             PreparedStatement ps = c.prepareStatement("SELECT id, received_at, topic, payload, error "
                     + "FROM ingest_dead_letters ORDER BY id DESC LIMIT ?")) {
            ps.setInt(1, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new DeadLetter(rs.getLong(1), rs.getObject(2, OffsetDateTime.class).toInstant(),
                            rs.getString(3), new String(rs.getBytes(4), java.nio.charset.StandardCharsets.UTF_8),
                            rs.getString(5)));
                }
            }
        }
        return out;
    }

    /**
     * Stores a kept message again (once what the database objected to is fixed) and, when it is stored, removes it
     * from the dead letters.
     *
     * @return true when stored; false when there is no such dead letter
     * @throws SQLException when the database refuses it again ({@link #isRefusal}) or is down; it stays kept
     */
    public boolean storeDeadLetterAgain(final long id) throws SQLException {
        final String topicName;
        final byte[] payload;
        try (Connection c = db.connection();
             PreparedStatement ps = c.prepareStatement("SELECT topic, payload FROM ingest_dead_letters WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return false;
                }
                topicName = rs.getString(1);
                payload = rs.getBytes(2);
            }
        }
        final Topic topic = Topic.parse(topicName).orThrow();
        // An event of a batch is kept alone: decode it as the single event it is.
        final dev.winnow.protocol.Kind kind = topic.kind() == dev.winnow.protocol.Kind.REJECT_BATCH
                ? dev.winnow.protocol.Kind.REJECT : topic.kind();
        final WireMessage message = WireCodec.decode(kind, payload).orThrow();
        store(List.of(new Inbound(topic, message)), Instant.now());
        try (Connection c = db.connection();
             PreparedStatement ps = c.prepareStatement("DELETE FROM ingest_dead_letters WHERE id = ?")) {
            ps.setLong(1, id);
            ps.executeUpdate();
        }
        final String prefix = Topic.devicePrefix(topic.site(), topic.line(), topic.device());
        final long left;
        try (Connection c = db.connection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT COUNT(*) FROM ingest_dead_letters WHERE LEFT(topic, ?) = ?")) {
            ps.setInt(1, prefix.length());
            ps.setString(2, prefix);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                left = rs.getLong(1);
            }
        }
        if (left == 0) {
            final Instant now = Instant.now();
            raiseOrClear(deadLetterAlarm(topic, now, Alarm.State.CLEARED,
                    "Every message the database refused from this device is stored."), now);
        }
        return true;
    }

    /** Messages kept by {@link #deadLetter}. */
    public long deadLetterCount() throws SQLException {
        try (Connection c = db.connection();
             PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM ingest_dead_letters");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static boolean isUniqueViolation(final SQLException e) {
        for (SQLException s = e; s != null; s = s.getNextException()) {
            if ("23505".equals(s.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /**
     * @param quick on PostgreSQL, assume the rejections are all new (the usual case): devices and per-minute
     *              counts in one statement, the rows in one COPY, then the commit (four round trips); an id
     *              stored before fails the transaction (unique violation), and {@link #store} writes it again
     *              without {@code quick}
     */
    private BatchResult write(final Connection c, final List<Inbound> batch, final Instant receivedAt,
                              final boolean quick) throws SQLException {
        final Map<String, Topic> devices = new LinkedHashMap<>();
        final List<Inbound> statuses = new ArrayList<>();
        final Map<String, Inbound> rejects = new LinkedHashMap<>();
        final Map<String, Inbound> alarms = new LinkedHashMap<>();
        final Map<String, Inbound> stats = new LinkedHashMap<>();
        final Map<String, Inbound> results = new LinkedHashMap<>();
        int duplicates = 0;
        for (Inbound in : batch) {
            final Topic t = in.topic();
            devices.put(t.site() + "/" + t.line() + "/" + t.device(), t);
            final WireMessage m = in.message();
            final Map<String, Inbound> target;
            final String key;
            if (m instanceof Status) {
                statuses.add(in);
                continue;
            } else if (m instanceof RejectEvent r) {
                target = rejects;
                key = r.id();
            } else if (m instanceof Alarm a) {
                target = alarms;
                key = a.id();
            } else if (m instanceof Stats s) {
                target = stats;
                key = t.site() + "/" + t.line() + "/" + t.device() + "/" + s.from();
            } else if (m instanceof CommandResult r) {
                target = results;
                key = r.id() + "/" + r.outcome();
            } else {
                continue; // commands are sent by the server, not stored from the wire
            }
            if (target.putIfAbsent(key, in) != null) {
                duplicates++;
            }
        }
        final OffsetDateTime now = ts(receivedAt);
        final boolean postgres = PgRejections.isPostgres(c);
        int stored = 0;
        final List<Rejection> newRejections;
        if (postgres && quick && !rejects.isEmpty()) {
            // under load each round trip waited milliseconds for the server's turn on the CPU: devices and
            // per-minute counts in one statement, then the rows (COPY), then the commit
            final List<Rejection> all = new ArrayList<>(rejects.size());
            for (Inbound in : rejects.values()) {
                all.add(rejection(in, receivedAt));
            }
            PgRejections.touchAndCount(c, devices.values(), minuteCounts(all), now);
            stored += updateStatuses(c, statuses);
            PgRejections.copyAllNew(c, all, receivedAt);
            newRejections = all;
        } else {
            touchDevices(c, devices.values(), now);
            stored += updateStatuses(c, statuses);
            newRejections = postgres
                    ? insertRejectionsPostgres(c, rejects.values(), receivedAt)
                    : insertRejectionsPortable(c, rejects.values(), receivedAt, now);
            rollUp(c, newRejections);
        }
        duplicates += rejects.size() - newRejections.size();
        stored += newRejections.size();

        final Set<String> knownAlarms = existing(c, "SELECT id FROM alarms WHERE id IN ", alarms.keySet());
        duplicates += knownAlarms.size();
        stored += insertAlarms(c, alarms, knownAlarms, now);
        final int[] st = insertStats(c, stats, now);
        stored += st[0];
        duplicates += st[1];
        final int[] cr = insertResults(c, results, now);
        stored += cr[0];
        duplicates += cr[1];
        return new BatchResult(stored, duplicates, newRejections);
    }

    private static int updateStatuses(final Connection c, final List<Inbound> statuses) throws SQLException {
        for (Inbound s : statuses) {
            updateStatus(c, s.topic(), (Status) s.message());
        }
        return statuses.size();
    }

    private static Rejection rejection(final Inbound in, final Instant receivedAt) {
        final RejectEvent r = (RejectEvent) in.message();
        final Topic t = in.topic();
        return new Rejection(r.id(), t.site(), t.line(), t.device(), r.time(), r.camera(), r.cls(), r.confidence(),
                r.beltMm(), r.acrossMm(), r.widthMm(), r.lengthMm(), r.valves(), r.pulseMs(), r.audit(), r.model(),
                r.lot(), r.crop(), receivedAt);
    }

    /** H2 (and any other database): looks the ids up, inserts the new ones. Returns those, in arrival order. */
    private static List<Rejection> insertRejectionsPortable(final Connection c, final Collection<Inbound> rejects,
                                                            final Instant receivedAt, final OffsetDateTime now)
            throws SQLException {
        final Set<String> known = existing(c, "SELECT id FROM reject_events WHERE id IN ",
                rejects.stream().map(in -> ((RejectEvent) in.message()).id()).toList());
        final List<Rejection> fresh = new ArrayList<>(rejects.size());
        for (Inbound in : rejects) {
            if (!known.contains(((RejectEvent) in.message()).id())) {
                fresh.add(rejection(in, receivedAt));
            }
        }
        insertRejections(c, fresh, now);
        return fresh;
    }

    /** PostgreSQL, some may be known: stages them all, the server keeps the new ones. Returns those, in order. */
    private static List<Rejection> insertRejectionsPostgres(final Connection c, final Collection<Inbound> rejects,
                                                            final Instant receivedAt) throws SQLException {
        final List<Rejection> all = new ArrayList<>(rejects.size());
        for (Inbound in : rejects) {
            all.add(rejection(in, receivedAt));
        }
        final Set<String> inserted = PgRejections.insertNew(c, all, receivedAt);
        if (inserted.size() == all.size()) {
            return all;
        }
        final List<Rejection> fresh = new ArrayList<>(inserted.size());
        for (Rejection r : all) {
            if (inserted.contains(r.id())) {
                fresh.add(r);
            }
        }
        return fresh;
    }

    private static final String INSERT_REJECTS = "INSERT INTO reject_events (id, site, line, device, event_time, "
            + "camera, class_name, confidence, belt_mm, across_mm, width_mm, length_mm, valves, pulse_ms, audit, model, "
            + "lot, crop, received_at) VALUES ";
    private static final String REJECT_ROW = "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
    /** Rows per multi-row INSERT: one statement per chunk instead of one per row (19 parameters a row). */
    private static final int INSERT_ROWS = 100;

    /**
     * Inserts rejections with multi-row {@code INSERT ... VALUES (...),(...)} statements of
     * {@link #INSERT_ROWS} rows (one prepared statement for the full chunks, one for the rest): the
     * per-statement work (H2: statement set-up and savepoint per row of a JDBC batch; PostgreSQL: a
     * round trip per row unless batches are rewritten) is paid once per chunk.
     */
    private static void insertRejections(final Connection c, final List<Rejection> rows, final OffsetDateTime now)
            throws SQLException {
        final int full = rows.size() / INSERT_ROWS;
        if (full > 0) {
            try (PreparedStatement ps = c.prepareStatement(multiRow(INSERT_ROWS))) {
                for (int chunk = 0; chunk < full; chunk++) {
                    bindRejections(ps, rows.subList(chunk * INSERT_ROWS, (chunk + 1) * INSERT_ROWS), now);
                    ps.executeUpdate();
                }
            }
        }
        final int rest = rows.size() - full * INSERT_ROWS;
        if (rest > 0) {
            try (PreparedStatement ps = c.prepareStatement(multiRow(rest))) {
                bindRejections(ps, rows.subList(full * INSERT_ROWS, rows.size()), now);
                ps.executeUpdate();
            }
        }
    }

    private static String multiRow(final int rows) {
        final StringBuilder sb = new StringBuilder(INSERT_REJECTS.length() + rows * (REJECT_ROW.length() + 1));
        sb.append(INSERT_REJECTS);
        for (int i = 0; i < rows; i++) {
            sb.append(i == 0 ? "" : ",").append(REJECT_ROW);
        }
        return sb.toString();
    }

    private static void bindRejections(final PreparedStatement ps, final List<Rejection> rows,
                                       final OffsetDateTime now) throws SQLException {
        int i = 1;
        for (Rejection r : rows) {
            ps.setString(i++, r.id());
            ps.setString(i++, r.site());
            ps.setString(i++, r.line());
            ps.setString(i++, r.device());
            ps.setObject(i++, ts(r.time()));
            ps.setString(i++, r.camera());
            ps.setString(i++, r.cls());
            ps.setDouble(i++, r.confidence());
            ps.setDouble(i++, r.beltMm());
            ps.setDouble(i++, r.acrossMm());
            ps.setDouble(i++, r.widthMm());
            ps.setDouble(i++, r.lengthMm());
            ps.setString(i++, valvesText(r.valves()));
            ps.setDouble(i++, r.pulseMs());
            ps.setBoolean(i++, r.audit());
            setNullable(ps, i++, r.model());
            setNullable(ps, i++, r.lot());
            setNullable(ps, i++, r.crop());
            ps.setObject(i++, now);
        }
    }

    static String valvesText(final List<Integer> valves) {
        if (valves.size() == 1) {
            return valves.get(0).toString();
        }
        final StringBuilder sb = new StringBuilder(valves.size() * 4);
        for (int k = 0; k < valves.size(); k++) {
            sb.append(k == 0 ? "" : ",").append(valves.get(k).intValue());
        }
        return sb.toString();
    }

    /**
     * Updates every device's last-seen time in one JDBC batch (one round trip on PostgreSQL, where the
     * driver sends a batch together: eight single updates took ~12 % of a transaction's time under load),
     * then inserts the devices it did not find.
     */
    private static void touchDevices(final Connection c, final Collection<Topic> devices, final OffsetDateTime now)
            throws SQLException {
        if (devices.isEmpty()) {
            return;
        }
        final List<Topic> order = List.copyOf(devices);
        final int[] updated;
        try (PreparedStatement up = c.prepareStatement(
                "UPDATE devices SET last_seen = ? WHERE site = ? AND line = ? AND device = ?")) {
            for (Topic t : order) {
                up.setObject(1, now);
                up.setString(2, t.site());
                up.setString(3, t.line());
                up.setString(4, t.device());
                up.addBatch();
            }
            updated = up.executeBatch();
        }
        try (PreparedStatement ins = c.prepareStatement(
                "INSERT INTO devices (site, line, device, last_seen) VALUES (?,?,?,?)")) {
            int missing = 0;
            for (int i = 0; i < order.size(); i++) {
                if (updated[i] == 0) {
                    final Topic t = order.get(i);
                    ins.setString(1, t.site());
                    ins.setString(2, t.line());
                    ins.setString(3, t.device());
                    ins.setObject(4, now);
                    ins.addBatch();
                    missing++;
                }
            }
            if (missing > 0) {
                ins.executeBatch();
            }
        }
    }

    /**
     * Applies a status unless a newer one is already stored (a retained birth may arrive late). A status is newer
     * when it comes from a later start of the agent ({@link Status#boot()}) or has a later time: a device's clock may
     * step backwards across a restart, and its statuses must not be ignored until it catches up. Its count may start
     * again from 1 too (a re-imaged SD card, a new state folder), and then its clock says which is newer. A last
     * will from an earlier start never replaces a later start's status, whatever its time: the will of the start
     * before, published late, would otherwise mark a device offline that runs. Statuses without a count (agents
     * that predate it) are ordered by time alone.
     */
    private static void updateStatus(final Connection c, final Topic t, final Status s) throws SQLException {
        final String newer = s.boot() == null ? "(status_time IS NULL OR status_time <= ?)"
                : s.state() == Status.State.ONLINE
                ? "(boot IS NULL OR boot < ? OR status_time IS NULL OR status_time <= ?)"
                : "(boot IS NULL OR boot < ? OR (boot = ? AND (status_time IS NULL OR status_time <= ?)))";
        final String models;
        try {
            models = JSON.writeValueAsString(new TreeMap<>(s.models()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        if (s.state() == Status.State.OFFLINE) {
            // the last will carries no version, models or config: the fleet keeps showing what the device last ran
            try (PreparedStatement ps = c.prepareStatement("UPDATE devices SET status_state = ?, status_time = ?, "
                    + "boot = COALESCE(?, boot) WHERE site = ? AND line = ? AND device = ? AND " + newer)) {
                ps.setString(1, s.state().name().toLowerCase(Locale.ROOT));
                ps.setObject(2, ts(s.time()));
                setNullableLong(ps, 3, s.boot());
                ps.setString(4, t.site());
                ps.setString(5, t.line());
                ps.setString(6, t.device());
                setNewer(ps, 7, s);
                ps.executeUpdate();
            }
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE devices SET status_state = ?, status_time = ?, "
                + "agent_version = ?, models_json = ?, config_hash = ?, audit_cameras = ?, boot = COALESCE(?, boot) "
                + "WHERE site = ? AND line = ? AND device = ? AND " + newer)) {
            ps.setString(1, s.state().name().toLowerCase(Locale.ROOT));
            ps.setObject(2, ts(s.time()));
            setNullable(ps, 3, s.agentVersion());
            ps.setString(4, models);
            setNullable(ps, 5, s.configHash());
            // camera ids are tokens (no commas): the decoder checked them
            setNullable(ps, 6, s.auditCameras().isEmpty() ? null : String.join(",", s.auditCameras()));
            setNullableLong(ps, 7, s.boot());
            ps.setString(8, t.site());
            ps.setString(9, t.line());
            ps.setString(10, t.device());
            setNewer(ps, 11, s);
            ps.executeUpdate();
        }
    }

    /** The parameters of {@code updateStatus}'s "newer" condition, from {@code at}. */
    private static void setNewer(final PreparedStatement ps, final int at, final Status s) throws SQLException {
        if (s.boot() == null) {
            ps.setObject(at, ts(s.time()));
        } else if (s.state() == Status.State.ONLINE) {
            ps.setLong(at, s.boot());
            ps.setObject(at + 1, ts(s.time()));
        } else {
            ps.setLong(at, s.boot());
            ps.setLong(at + 1, s.boot());
            ps.setObject(at + 2, ts(s.time()));
        }
    }

    private static void setNullableLong(final PreparedStatement ps, final int at, final Long v) throws SQLException {
        if (v == null) {
            ps.setNull(at, java.sql.Types.BIGINT);
        } else {
            ps.setLong(at, v);
        }
    }

    /** A line's rejections of one class in one minute (by event time): a row of {@code reject_minutes}. */
    record MinuteKey(String site, String line, Instant minute, String cls) {
    }

    static Map<MinuteKey, Long> minuteCounts(final List<Rejection> rejections) {
        final Map<MinuteKey, Long> counts = new LinkedHashMap<>();
        for (Rejection r : rejections) {
            counts.merge(new MinuteKey(r.site(), r.line(), r.time().truncatedTo(ChronoUnit.MINUTES), r.cls()), 1L,
                    Long::sum);
        }
        return counts;
    }

    private static void rollUp(final Connection c, final List<Rejection> rejections) throws SQLException {
        if (rejections.isEmpty()) {
            return;
        }
        final Map<MinuteKey, Long> counts = minuteCounts(rejections);
        // as touchDevices: the updates in one batch, then the minutes not there yet
        final List<Map.Entry<MinuteKey, Long>> order = List.copyOf(counts.entrySet());
        final int[] updated;
        try (PreparedStatement up = c.prepareStatement("UPDATE reject_minutes SET rejections = rejections + ? "
                + "WHERE site = ? AND line = ? AND minute_start = ? AND class_name = ?")) {
            for (Map.Entry<MinuteKey, Long> e : order) {
                final MinuteKey k = e.getKey();
                up.setLong(1, e.getValue());
                up.setString(2, k.site());
                up.setString(3, k.line());
                up.setObject(4, ts(k.minute()));
                up.setString(5, k.cls());
                up.addBatch();
            }
            updated = up.executeBatch();
        }
        try (PreparedStatement ins = c.prepareStatement("INSERT INTO reject_minutes (site, line, minute_start, "
                + "class_name, rejections) VALUES (?,?,?,?,?)")) {
            int missing = 0;
            for (int i = 0; i < order.size(); i++) {
                if (updated[i] == 0) {
                    final MinuteKey k = order.get(i).getKey();
                    ins.setString(1, k.site());
                    ins.setString(2, k.line());
                    ins.setObject(3, ts(k.minute()));
                    ins.setString(4, k.cls());
                    ins.setLong(5, order.get(i).getValue());
                    ins.addBatch();
                    missing++;
                }
            }
            if (missing > 0) {
                ins.executeBatch();
            }
        }
    }

    private static int insertAlarms(final Connection c, final Map<String, Inbound> alarms, final Set<String> known,
                                    final OffsetDateTime now) throws SQLException {
        int n = 0;
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO alarms (id, site, line, device, event_time, "
                + "alarm_state, severity, cause, message, camera, received_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)")) {
            for (Inbound in : alarms.values()) {
                final Alarm a = (Alarm) in.message();
                if (known.contains(a.id())) {
                    continue;
                }
                final Topic t = in.topic();
                ps.setString(1, a.id());
                ps.setString(2, t.site());
                ps.setString(3, t.line());
                ps.setString(4, t.device());
                ps.setObject(5, ts(a.time()));
                ps.setString(6, a.state().name().toLowerCase(Locale.ROOT));
                ps.setString(7, a.severity().name().toLowerCase(Locale.ROOT));
                ps.setString(8, a.cause());
                ps.setString(9, a.message());
                setNullable(ps, 10, a.camera());
                ps.setObject(11, now);
                ps.addBatch();
                n++;
            }
            if (n > 0) {
                ps.executeBatch();
            }
        }
        return n;
    }

    /** Returns {stored, duplicates}. */
    private static int[] insertStats(final Connection c, final Map<String, Inbound> stats, final OffsetDateTime now)
            throws SQLException {
        int stored = 0;
        int dup = 0;
        try (PreparedStatement exists = c.prepareStatement("SELECT 1 FROM stats WHERE site = ? AND line = ? "
                + "AND device = ? AND from_time = ?");
             PreparedStatement ps = c.prepareStatement("INSERT INTO stats (site, line, device, from_time, to_time, "
                     + "stats_mode, frames, dropped_frames, objects, detections_json, rejections_json, escapes, "
                     + "late_decisions, latency_p50_ms, latency_p99_ms, valve_cycles, fps, outbox_depth, "
                     + "cpu_temperature_c, lot, received_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
            for (Inbound in : stats.values()) {
                final Stats s = (Stats) in.message();
                final Topic t = in.topic();
                exists.setString(1, t.site());
                exists.setString(2, t.line());
                exists.setString(3, t.device());
                exists.setObject(4, ts(s.from()));
                try (ResultSet rs = exists.executeQuery()) {
                    if (rs.next()) {
                        dup++;
                        continue;
                    }
                }
                int i = 1;
                ps.setString(i++, t.site());
                ps.setString(i++, t.line());
                ps.setString(i++, t.device());
                ps.setObject(i++, ts(s.from()));
                ps.setObject(i++, ts(s.to()));
                ps.setString(i++, s.mode().name().toLowerCase(Locale.ROOT));
                ps.setLong(i++, s.frames());
                ps.setLong(i++, s.droppedFrames());
                ps.setLong(i++, s.objects());
                ps.setString(i++, json(s.detections()));
                ps.setString(i++, json(s.rejections()));
                ps.setLong(i++, s.escapes());
                ps.setLong(i++, s.lateDecisions());
                ps.setDouble(i++, s.latencyP50Ms());
                ps.setDouble(i++, s.latencyP99Ms());
                ps.setLong(i++, s.valveCycles());
                ps.setDouble(i++, s.fps());
                ps.setLong(i++, s.outboxDepth());
                if (s.cpuTemperatureC() == null) {
                    ps.setNull(i++, Types.DOUBLE);
                } else {
                    ps.setDouble(i++, s.cpuTemperatureC());
                }
                setNullable(ps, i++, s.lot());
                ps.setObject(i, now);
                ps.addBatch();
                stored++;
            }
            if (stored > 0) {
                ps.executeBatch();
            }
        }
        return new int[] {stored, dup};
    }

    /** Returns {stored, duplicates}. */
    private static int[] insertResults(final Connection c, final Map<String, Inbound> results,
                                       final OffsetDateTime now) throws SQLException {
        int stored = 0;
        int dup = 0;
        try (PreparedStatement exists = c.prepareStatement(
                "SELECT 1 FROM command_results WHERE id = ? AND outcome = ?");
             PreparedStatement ps = c.prepareStatement("INSERT INTO command_results (id, outcome, site, line, "
                     + "device, name, reason, event_time, received_at) VALUES (?,?,?,?,?,?,?,?,?)")) {
            for (Inbound in : results.values()) {
                final CommandResult r = (CommandResult) in.message();
                final Topic t = in.topic();
                final String outcome = r.outcome().name().toLowerCase(Locale.ROOT);
                exists.setString(1, r.id());
                exists.setString(2, outcome);
                try (ResultSet rs = exists.executeQuery()) {
                    if (rs.next()) {
                        dup++;
                        continue;
                    }
                }
                ps.setString(1, r.id());
                ps.setString(2, outcome);
                ps.setString(3, t.site());
                ps.setString(4, t.line());
                ps.setString(5, t.device());
                ps.setString(6, r.name());
                setNullable(ps, 7, r.reason());
                ps.setObject(8, ts(r.time()));
                ps.setObject(9, now);
                ps.addBatch();
                stored++;
            }
            if (stored > 0) {
                ps.executeBatch();
            }
        }
        return new int[] {stored, dup};
    }

    /** The subset of {@code ids} already in the table, looked up in chunks. */
    private static Set<String> existing(final Connection c, final String selectIn, final Collection<String> ids)
            throws SQLException {
        final Set<String> found = new HashSet<>();
        final List<String> all = new ArrayList<>(ids);
        for (int from = 0; from < all.size(); from += IN_CHUNK) {
            final List<String> chunk = all.subList(from, Math.min(all.size(), from + IN_CHUNK));
            final String marks = String.join(",", java.util.Collections.nCopies(chunk.size(), "?"));
            try (PreparedStatement ps = c.prepareStatement(selectIn + "(" + marks + ")")) {
                for (int i = 0; i < chunk.size(); i++) {
                    ps.setString(i + 1, chunk.get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        found.add(rs.getString(1));
                    }
                }
            }
        }
        return found;
    }

    // ------------------------------------------------------------------ read

    public long countRejections() {
        return count("SELECT COUNT(*) FROM reject_events");
    }

    public long countAlarms() {
        return count("SELECT COUNT(*) FROM alarms");
    }

    public long countStats() {
        return count("SELECT COUNT(*) FROM stats");
    }

    public long countCommandResults() {
        return count("SELECT COUNT(*) FROM command_results");
    }

    private long count(final String sql) {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(sql);
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    /** The latest {@code limit} rejections of a line, newest first. */
    public List<Rejection> latestRejections(final String site, final String line, final int limit) {
        final String sql = "SELECT id, site, line, device, event_time, camera, class_name, confidence, belt_mm, "
                + "across_mm, width_mm, length_mm, valves, pulse_ms, audit, model, lot, crop, received_at "
                + "FROM reject_events WHERE site = ? AND line = ? ORDER BY event_time DESC, id DESC LIMIT ?";
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, site);
            ps.setString(2, line);
            ps.setInt(3, limit);
            final List<Rejection> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Rejection(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            instant(rs, 5), rs.getString(6), rs.getString(7), rs.getDouble(8), rs.getDouble(9),
                            rs.getDouble(10), rs.getDouble(11), rs.getDouble(12), valves(rs.getString(13)),
                            rs.getDouble(14), rs.getBoolean(15), rs.getString(16), rs.getString(17),
                            rs.getString(18), instant(rs, 19)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    /** A device seen nothing from for this long counts as offline even without a last will. */
    public static final Duration STALE_DEVICE = Duration.ofSeconds(120);

    /** Rejections per minute and class over the {@code minutes} minutes ending at {@code now}. */
    public LineSummary summary(final String site, final String line, final int minutes, final Instant now) {
        final Instant current = now.truncatedTo(ChronoUnit.MINUTES);
        final Instant first = current.minus(Duration.ofMinutes(minutes - 1L));
        final List<Instant> starts = new ArrayList<>(minutes);
        for (int i = 0; i < minutes; i++) {
            starts.add(first.plus(Duration.ofMinutes(i)));
        }
        final Map<String, long[]> perClass = new TreeMap<>();
        try (Connection c = db.connection()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT minute_start, class_name, rejections "
                    + "FROM reject_minutes WHERE site = ? AND line = ? AND minute_start >= ? AND minute_start <= ?")) {
                ps.setString(1, site);
                ps.setString(2, line);
                ps.setObject(3, ts(first));
                ps.setObject(4, ts(current));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        final int idx = (int) Duration.between(first, instant(rs, 1)).toMinutes();
                        if (idx >= 0 && idx < minutes) {
                            perClass.computeIfAbsent(rs.getString(2), k -> new long[minutes])[idx] += rs.getLong(3);
                        }
                    }
                }
            }
            final long lastMinute;
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM reject_events "
                    + "WHERE site = ? AND line = ? AND event_time > ? AND event_time <= ?")) {
                ps.setString(1, site);
                ps.setString(2, line);
                ps.setObject(3, ts(now.minusSeconds(60)));
                ps.setObject(4, ts(now.plusSeconds(5)));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    lastMinute = rs.getLong(1);
                }
            }
            final List<LineSummary.ClassSeries> classes = new ArrayList<>();
            long total = 0;
            for (Map.Entry<String, long[]> e : perClass.entrySet()) {
                final long sum = Arrays.stream(e.getValue()).sum();
                total += sum;
                classes.add(new LineSummary.ClassSeries(e.getKey(), e.getValue(), sum));
            }
            classes.sort((a, b) -> Long.compare(b.total(), a.total()));
            final List<String> audit = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT audit_cameras FROM devices WHERE site = ? AND line = ? "
                    + "AND status_state = 'online' AND audit_cameras IS NOT NULL AND last_seen > ? ORDER BY device")) {
                ps.setString(1, site);
                ps.setString(2, line);
                ps.setObject(3, ts(now.minus(STALE_DEVICE)));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        audit.addAll(List.of(rs.getString(1).split(",")));
                    }
                }
            }
            return new LineSummary(site, line, first, now, starts, classes, lastMinute, total, audit);
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    /** Every line seen, with device and rejection counts. */
    public List<LineState> lines(final Instant now) {
        final Map<String, LineState> out = new TreeMap<>();
        try (Connection c = db.connection()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT site, line, COUNT(*), "
                    + "SUM(CASE WHEN status_state = 'online' THEN 1 ELSE 0 END), MAX(last_seen) "
                    + "FROM devices GROUP BY site, line");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1) + "/" + rs.getString(2), new LineState(rs.getString(1), rs.getString(2),
                            rs.getInt(3), rs.getInt(4), instant(rs, 5), 0));
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT site, line, COUNT(*) FROM reject_events "
                    + "WHERE event_time > ? AND event_time <= ? GROUP BY site, line")) {
                ps.setObject(1, ts(now.minusSeconds(60)));
                ps.setObject(2, ts(now.plusSeconds(5)));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        final String key = rs.getString(1) + "/" + rs.getString(2);
                        final LineState s = out.get(key);
                        out.put(key, s == null
                                ? new LineState(rs.getString(1), rs.getString(2), 0, 0, null, rs.getLong(3))
                                : new LineState(s.site(), s.line(), s.devices(), s.online(), s.lastSeen(),
                                rs.getLong(3)));
                    }
                }
            }
            return List.copyOf(out.values());
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    // ------------------------------------------------------------------ helpers

    static OffsetDateTime ts(final Instant i) {
        return OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
    }

    private static Instant instant(final ResultSet rs, final int col) throws SQLException {
        final OffsetDateTime t = rs.getObject(col, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private static List<Integer> valves(final String text) {
        if (text == null || text.isEmpty()) {
            return List.of();
        }
        return Arrays.stream(text.split(",")).map(Integer::valueOf).toList();
    }

    private static void setNullable(final PreparedStatement ps, final int i, final String v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.VARCHAR);
        } else {
            ps.setString(i, v);
        }
    }

    private static String json(final Map<String, Long> m) {
        try {
            return JSON.writeValueAsString(new TreeMap<>(m));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
