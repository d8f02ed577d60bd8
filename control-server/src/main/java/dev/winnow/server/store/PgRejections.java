package dev.winnow.server.store;

import dev.winnow.protocol.Topic;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * The PostgreSQL path of a batch's rejections, in the caller's transaction. Same rows, same transaction,
 * same guarantees as the portable path, which H2 keeps.
 *
 * <ul>
 *   <li>Usually every id is new: devices and per-minute counts go in one statement ({@link #touchAndCount}),
 *       the rows with {@code COPY reject_events FROM STDIN (FORMAT binary)} ({@link #copyAllNew}).</li>
 *   <li>When the primary key refuses one (a redelivery), the transaction is rolled back and written again
 *       with {@link #insertNew}: {@code COPY} into a temporary staging table, then
 *       {@code INSERT ... SELECT ... ON CONFLICT (id) DO NOTHING RETURNING id}, which tells which were new.</li>
 * </ul>
 *
 * <p>Why, measured on PostgreSQL 15 with 5,000-event transactions (BENCHMARKS.md, telemetry, 2026-12-05):
 * <ul>
 *   <li>The portable path's id lookup ({@code SELECT id ... WHERE id IN (500 parameters)}) has a plan the
 *       server picks by the table's size: on a fresh database the cached plan was a full scan, up to 4.5 s
 *       per transaction until autovacuum's analyze; planned afresh with the actual ids ({@code = ANY}) it
 *       still chose a parallel scan around 600,000 rows (190 ms against 14 ms by the key). The primary key
 *       and {@code ON CONFLICT} check each id in the index itself: no plan to get wrong.</li>
 *   <li>{@code COPY} sends the rows as one stream instead of statements of 100 rows × 19 parameters, and
 *       the server inserts them a page at a time; binary, so it parses no timestamps or numbers and there is
 *       nothing to escape. Measured alone, 8 µs of PostgreSQL CPU per stored event; over a 1,000,000-event
 *       bench run its CPU fell from 57–61 s to 10–16 s.</li>
 *   <li>Under load (other processes on the 2 cores) every round trip waited milliseconds for the server's
 *       turn on the CPU: a transaction is now four (devices and counts, COPY start and end, commit); it was
 *       about seventy (eight device updates, ten id lookups, fifty 100-row INSERTs, the counts, the commit).</li>
 * </ul>
 */
final class PgRejections {

    private static final String COLUMNS_LIST = "id, site, line, device, event_time, camera, class_name, "
            + "confidence, belt_mm, across_mm, width_mm, length_mm, valves, pulse_ms, audit, model, lot, crop, "
            + "received_at";
    private static final short COLUMNS = 19;
    /** {@code LIKE} copies the column types and NOT NULLs: a bad row fails at the COPY already. */
    private static final String STAGE = "CREATE TEMP TABLE IF NOT EXISTS reject_stage (LIKE reject_events) "
            + "ON COMMIT DELETE ROWS";
    private static final String COPY_DIRECT = "COPY reject_events (" + COLUMNS_LIST + ") FROM STDIN (FORMAT binary)";
    private static final String COPY_STAGE = "COPY reject_stage (" + COLUMNS_LIST + ") FROM STDIN (FORMAT binary)";
    private static final String INSERT = "INSERT INTO reject_events (" + COLUMNS_LIST + ") SELECT " + COLUMNS_LIST
            + " FROM reject_stage ON CONFLICT (id) DO NOTHING RETURNING id";
    /** "PGCOPY\n\377\r\n\0", then 32-bit flags (0) and header-extension length (0). */
    private static final byte[] HEADER = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0,
        0, 0, 0, 0, 0, 0, 0, 0};
    /** 2000-01-01T00:00:00Z, PostgreSQL's epoch for timestamps, in Unix seconds. */
    private static final long PG_EPOCH_SECONDS = 946_684_800L;
    /** Bytes handed to the driver at a time; the server starts on them while the rest is encoded. */
    private static final int FLUSH_BYTES = 64 * 1024;

    private PgRejections() {
    }

    /** True when {@code c} is a PostgreSQL connection (through the pool's proxy). */
    static boolean isPostgres(final Connection c) throws SQLException {
        return c.isWrapperFor(PGConnection.class);
    }

    /**
     * Stores {@code rows}, all new as far as the caller knows, straight into {@code reject_events}: the
     * cheapest way (a COPY into the table took ~45 ms of server time for 5,000 rows, the staging table and its
     * {@code INSERT} ~75 ms). An id stored before fails it with a unique violation (SQLSTATE 23505), which
     * leaves the transaction to be rolled back; the caller then writes the batch with {@link #insertNew}.
     */
    static void copyAllNew(final Connection c, final List<Rejection> rows, final Instant receivedAt)
            throws SQLException {
        if (!rows.isEmpty()) {
            copy(c, COPY_DIRECT, rows, receivedAt);
        }
    }

    /**
     * Stores the rows whose id is not stored yet, in the connection's open transaction; returns the ids it
     * stored. {@code rows} must not repeat an id (the caller keeps the first).
     */
    static Set<String> insertNew(final Connection c, final List<Rejection> rows, final Instant receivedAt)
            throws SQLException {
        final Set<String> inserted = new HashSet<>(rows.size() * 2);
        if (rows.isEmpty()) {
            return inserted;
        }
        if (c.getAutoCommit()) {
            // each statement would commit alone, and the commit empties the staging table before the INSERT
            throw new IllegalStateException("rejections are staged inside a transaction; autocommit is on");
        }
        try (Statement s = c.createStatement()) {
            s.execute(STAGE); // once per session; a no-op (and a notice) after that
        }
        copy(c, COPY_STAGE, rows, receivedAt);
        try (PreparedStatement ps = c.prepareStatement(INSERT); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                inserted.add(rs.getString(1));
            }
        }
        return inserted;
    }

    /**
     * Sets the devices' last-seen time and adds the per-minute counts, in one statement (one round trip):
     * two upserts, the first in a {@code WITH}. What {@code EventStore.touchDevices} and {@code rollUp} do
     * in two JDBC batches, plus the inserts for what they did not find.
     */
    static void touchAndCount(final Connection c, final Collection<Topic> devices,
                              final Map<EventStore.MinuteKey, Long> counts, final OffsetDateTime now)
            throws SQLException {
        if (devices.isEmpty() || counts.isEmpty()) {
            throw new IllegalArgumentException("a batch of rejections has devices and counts");
        }
        final StringBuilder sql = new StringBuilder(
                "WITH touched AS (INSERT INTO devices (site, line, device, last_seen) VALUES ");
        for (int i = 0; i < devices.size(); i++) {
            sql.append(i == 0 ? "(?,?,?,?)" : ",(?,?,?,?)");
        }
        sql.append(" ON CONFLICT (site, line, device) DO UPDATE SET last_seen = EXCLUDED.last_seen) ")
                .append("INSERT INTO reject_minutes (site, line, minute_start, class_name, rejections) VALUES ");
        for (int i = 0; i < counts.size(); i++) {
            sql.append(i == 0 ? "(?,?,?,?,?)" : ",(?,?,?,?,?)");
        }
        sql.append(" ON CONFLICT (site, line, minute_start, class_name) ")
                .append("DO UPDATE SET rejections = reject_minutes.rejections + EXCLUDED.rejections");
        // rows in key order: two servers' writers on one database lock them in the same order (no deadlock)
        final List<Topic> byKey = devices.stream().sorted(Comparator.comparing(Topic::site)
                .thenComparing(Topic::line).thenComparing(Topic::device)).toList();
        final List<Map.Entry<EventStore.MinuteKey, Long>> countsByKey = counts.entrySet().stream()
                .sorted(Map.Entry.comparingByKey(Comparator.comparing(EventStore.MinuteKey::site)
                        .thenComparing(EventStore.MinuteKey::line).thenComparing(EventStore.MinuteKey::minute)
                        .thenComparing(EventStore.MinuteKey::cls))).toList();
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            int i = 1;
            for (Topic t : byKey) {
                ps.setString(i++, t.site());
                ps.setString(i++, t.line());
                ps.setString(i++, t.device());
                ps.setObject(i++, now);
            }
            for (Map.Entry<EventStore.MinuteKey, Long> e : countsByKey) {
                final EventStore.MinuteKey k = e.getKey();
                ps.setString(i++, k.site());
                ps.setString(i++, k.line());
                ps.setObject(i++, EventStore.ts(k.minute()));
                ps.setString(i++, k.cls());
                ps.setLong(i++, e.getValue());
            }
            ps.executeUpdate();
        }
    }

    private static void copy(final Connection c, final String sql, final List<Rejection> rows,
                             final Instant receivedAt) throws SQLException {
        final long received = pgMicros(receivedAt);
        final CopyIn in = c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql);
        try {
            final Buffer b = new Buffer(FLUSH_BYTES + 4096);
            b.bytes(HEADER);
            for (Rejection r : rows) {
                b.int16(COLUMNS);
                b.text(r.id());
                b.text(r.site());
                b.text(r.line());
                b.text(r.device());
                b.timestamp(pgMicros(r.time()));
                b.text(r.camera());
                b.text(r.cls());
                b.float8(r.confidence());
                b.float8(r.beltMm());
                b.float8(r.acrossMm());
                b.float8(r.widthMm());
                b.float8(r.lengthMm());
                b.text(EventStore.valvesText(r.valves()));
                b.float8(r.pulseMs());
                b.bool(r.audit());
                b.text(r.model());
                b.text(r.lot());
                b.text(r.crop());
                b.timestamp(received);
                if (b.size() >= FLUSH_BYTES) {
                    in.writeToCopy(b.array(), 0, b.size());
                    b.clear();
                }
            }
            b.int16((short) -1);
            in.writeToCopy(b.array(), 0, b.size());
            final long copied = in.endCopy();
            if (copied != rows.size()) {
                throw new SQLException("COPY took " + copied + " of " + rows.size() + " rejections");
            }
        } finally {
            if (in.isActive()) {
                in.cancelCopy(); // an encoding or driver error mid-stream: the transaction is rolled back after
            }
        }
    }

    /**
     * Microseconds since 2000-01-01 UTC, a binary timestamptz. Rounded to the nearest microsecond, half up,
     * as the driver rounds a timestamp parameter (the portable path), so both paths store the same value.
     */
    static long pgMicros(final Instant t) {
        final long micros = Math.addExact(Math.multiplyExact(t.getEpochSecond() - PG_EPOCH_SECONDS, 1_000_000L),
                t.getNano() / 1000);
        return t.getNano() % 1000 > 499 ? micros + 1 : micros;
    }

    /** A growable big-endian byte buffer writing COPY BINARY fields (each: 32-bit length, then the value). */
    private static final class Buffer {
        private byte[] a;
        private int n;

        Buffer(final int capacity) {
            a = new byte[capacity];
        }

        byte[] array() {
            return a;
        }

        int size() {
            return n;
        }

        void clear() {
            n = 0;
        }

        private void room(final int more) {
            if (n + more > a.length) {
                a = Arrays.copyOf(a, Math.max(a.length * 2, n + more));
            }
        }

        void bytes(final byte[] v) {
            room(v.length);
            System.arraycopy(v, 0, a, n, v.length);
            n += v.length;
        }

        void int16(final short v) {
            room(2);
            a[n++] = (byte) (v >>> 8);
            a[n++] = (byte) v;
        }

        private void int32(final int v) {
            room(4);
            a[n++] = (byte) (v >>> 24);
            a[n++] = (byte) (v >>> 16);
            a[n++] = (byte) (v >>> 8);
            a[n++] = (byte) v;
        }

        private void int64(final long v) {
            int32((int) (v >>> 32));
            int32((int) v);
        }

        void timestamp(final long micros) {
            int32(8);
            int64(micros);
        }

        void float8(final double v) {
            int32(8);
            int64(Double.doubleToLongBits(v));
        }

        void bool(final boolean v) {
            int32(1);
            room(1);
            a[n++] = (byte) (v ? 1 : 0);
        }

        /** A varchar as UTF-8 (the server checks the encoding and the column's length); null as length -1. */
        void text(final String s) {
            if (s == null) {
                int32(-1);
                return;
            }
            final int len = s.length();
            boolean ascii = true;
            for (int i = 0; i < len && ascii; i++) {
                ascii = s.charAt(i) < 0x80;
            }
            if (ascii) {
                int32(len);
                room(len);
                for (int i = 0; i < len; i++) {
                    a[n++] = (byte) s.charAt(i);
                }
            } else {
                final byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
                int32(utf8.length);
                bytes(utf8);
            }
        }
    }
}
