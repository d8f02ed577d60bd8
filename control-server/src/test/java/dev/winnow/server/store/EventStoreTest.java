package dev.winnow.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.protocol.Kind;
import dev.winnow.protocol.RejectEvent;
import dev.winnow.protocol.Status;
import dev.winnow.protocol.Topic;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store's write path on embedded H2; {@link PostgresEventStoreTest} runs the same tests on a real
 * PostgreSQL, where the rejections take another path (COPY, and a staging table when an id is known).
 * Each test writes its own line, so the tests share one database.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EventStoreTest {

    private static final AtomicInteger LINES = new AtomicInteger();
    private static final String SITE = "store-test";

    Database db;
    EventStore store;

    /** The database under test. */
    protected Database open(final Path dir) throws Exception {
        return Database.open(Database.embeddedUrl(dir), null, null);
    }

    /** Called after the database is closed, to stop what {@link #open} started. */
    protected void afterClose() throws Exception {
    }

    @BeforeAll
    void start(@TempDir final Path dir) throws Exception {
        db = open(dir);
        store = new EventStore(db);
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (db != null) {
                db.close();
            }
        } finally {
            afterClose();
        }
    }

    @Test
    void aBatchTheDatabaseRefusesIsARefusalAndItsMessageCanBeKeptAside() throws Exception {
        final String line = newLine();
        final Instant t = Instant.parse("2026-12-05T06:00:20Z");
        // Stands for any value the database cannot hold; only this test stores the class.
        try (Connection c = db.connection(); java.sql.Statement s = c.createStatement()) {
            s.execute("ALTER TABLE reject_events ADD CONSTRAINT refuse_poison CHECK (class_name <> 'poison')");
        }
        final Inbound poison = reject(line, "p1", t, "poison");
        final List<Inbound> batch = List.of(reject(line, "p0", t, "straw"), poison);
        final Exception refused = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> store.store(batch, t));
        assertThat(EventStore.isRefusal(refused)).as("%s", refused).isTrue();
        assertThat(count("SELECT COUNT(*) FROM reject_events WHERE site = ? AND line = ?", line))
                .as("nothing of the refused batch is stored").isZero();
        final long before = store.deadLetterCount();
        store.deadLetter(poison, t, String.valueOf(refused));
        assertThat(store.deadLetterCount()).isEqualTo(before + 1);
        assertThat(EventStore.isRefusal(new SQLException("connection refused", "08001")))
                .as("a database that is down is not a refusal: retry").isFalse();
        assertThat(EventStore.isRefusal(new SQLException("duplicate key", "23505")))
                .as("an id stored before is not a refusal").isFalse();
    }

    @Test
    void anIdRepeatedInsideABatchAndAcrossBatchesIsStoredOnce() throws Exception {
        final String line = newLine();
        final Instant t = Instant.parse("2026-12-05T06:00:10Z");
        final List<Inbound> first = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            first.add(reject(line, "a" + i, t, "straw"));
        }
        first.add(reject(line, "a3", t, "plastic_film")); // the same id again: the first one counts
        final BatchResult r1 = store.store(first, t);
        assertThat(r1.stored()).isEqualTo(10);
        assertThat(r1.duplicates()).isEqualTo(1);

        final List<Inbound> second = new ArrayList<>();
        for (int i = 5; i < 15; i++) {
            second.add(reject(line, "a" + i, t, "straw"));
        }
        final BatchResult r2 = store.store(second, t);
        assertThat(r2.stored()).isEqualTo(5);
        assertThat(r2.duplicates()).isEqualTo(5);
        assertThat(r2.newRejections()).extracting(Rejection::id).containsExactly("a10", "a11", "a12", "a13", "a14");

        assertThat(count("SELECT COUNT(*) FROM reject_events WHERE site = ? AND line = ?", line)).isEqualTo(15);
        assertThat(count("SELECT COUNT(*) FROM reject_events WHERE site = ? AND line = ? AND class_name = 'straw'",
                line)).as("a3 keeps the first copy's class").isEqualTo(15);
        assertThat(minutes(line)).as("per-minute counts follow the rows").isEqualTo(15);
    }

    @Test
    void aKnownIdAtTheStartOrEndOfALargeBatchIsSkippedAndTheRestStored() throws Exception {
        final String line = newLine();
        final Instant t = Instant.parse("2026-12-05T06:01:00Z");
        store.store(List.of(reject(line, "known-first", t, "straw"), reject(line, "known-last", t, "straw")), t);

        // on PostgreSQL the server refuses the COPY while the client is still sending: the batch must still go
        final List<Inbound> batch = new ArrayList<>();
        batch.add(reject(line, "known-first", t, "straw"));
        for (int i = 0; i < 5_000; i++) {
            batch.add(reject(line, "b" + i, t.plusMillis(i), "straw"));
        }
        batch.add(reject(line, "known-last", t, "straw"));
        final BatchResult r = store.store(batch, t);

        assertThat(r.stored()).isEqualTo(5_000);
        assertThat(r.duplicates()).isEqualTo(2);
        assertThat(r.newRejections()).hasSize(5_000);
        assertThat(r.newRejections().get(0).id()).isEqualTo("b0");
        assertThat(count("SELECT COUNT(*) FROM reject_events WHERE site = ? AND line = ?", line)).isEqualTo(5_002);
        assertThat(minutes(line)).isEqualTo(5_002);
    }

    @Test
    void aBatchWithABadRowChangesNothing() throws Exception {
        final String line = newLine();
        final Instant t = Instant.parse("2026-12-05T06:02:00Z");
        store.store(List.of(reject(line, "before", t, "straw")), t);

        final List<Inbound> good = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            good.add(reject(line, "c" + i, t, "straw"));
        }
        final Inbound bad = new Inbound(Topic.of(SITE, line, "dev-2", Kind.REJECT), new RejectEvent("c-bad", t,
                "x".repeat(65), "straw", 0.9, 1, 2, 3, 4, List.of(1), 18, false, null, null, null)); // camera > 64
        final List<Inbound> withBad = new ArrayList<>(good);
        withBad.add(1_500, bad);
        assertThatThrownBy(() -> store.store(withBad, t)).isInstanceOf(SQLException.class);
        // the same with an id stored before (on PostgreSQL: the staging table's path)
        final List<Inbound> withBadAndKnown = new ArrayList<>(withBad);
        withBadAndKnown.add(0, reject(line, "before", t, "straw"));
        assertThatThrownBy(() -> store.store(withBadAndKnown, t)).isInstanceOf(SQLException.class);

        assertThat(count("SELECT COUNT(*) FROM reject_events WHERE site = ? AND line = ?", line)).isEqualTo(1);
        assertThat(minutes(line)).isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM devices WHERE site = ? AND line = ?", line))
                .as("dev-2 came only with the refused batches").isEqualTo(1);

        // and the store (its pooled connections) is fine afterwards
        final BatchResult r = store.store(good, t);
        assertThat(r.stored()).isEqualTo(3_000);
        assertThat(count("SELECT COUNT(*) FROM reject_events WHERE site = ? AND line = ?", line)).isEqualTo(3_001);
        assertThat(minutes(line)).isEqualTo(3_001);
    }

    @Test
    void aRejectionReadsBackAsItWasSent() throws Exception {
        final String line = newLine();
        // 123,456,500 ns: rounded half up to the microsecond, as the driver rounds a timestamp parameter
        final Instant time = Instant.parse("2026-12-05T06:03:04.123456500Z");
        final Instant received = Instant.parse("2026-12-05T06:03:05.000000499Z");
        final RejectEvent full = new RejectEvent("full", time, "cam-uv", "plastic_film", 0.875, -12_345.25, 410.5,
                12.0, 30.75, List.of(3, 4, 5), 18.5, true, "uv-2026.11.22", "Lot-ä/7 \\ \t\"x\"", "crops/full.jpg");
        final RejectEvent bare = new RejectEvent("bare", time.plusSeconds(1), "cam0", "straw", 0, 1e12, -100_000, 0,
                100_000, List.of(), 0, false, null, null, null);
        store.store(List.of(new Inbound(Topic.of(SITE, line, "dev-1", Kind.REJECT_BATCH), full),
                new Inbound(Topic.of(SITE, line, "dev-1", Kind.REJECT_BATCH), bare)), received);

        final List<Rejection> back = store.latestRejections(SITE, line, 10);
        assertThat(back).hasSize(2);
        final Instant receivedRounded = Instant.parse("2026-12-05T06:03:05Z");
        assertThat(back.get(1)).isEqualTo(new Rejection("full", SITE, line, "dev-1",
                Instant.parse("2026-12-05T06:03:04.123457Z"), "cam-uv", "plastic_film", 0.875, -12_345.25, 410.5, 12.0,
                30.75, List.of(3, 4, 5), 18.5, true, "uv-2026.11.22", "Lot-ä/7 \\ \t\"x\"", "crops/full.jpg",
                receivedRounded));
        assertThat(back.get(0)).isEqualTo(new Rejection("bare", SITE, line, "dev-1",
                Instant.parse("2026-12-05T06:03:05.123457Z"), "cam0", "straw", 0, 1e12, -100_000, 0, 100_000,
                List.of(), 0, false, null, null, null, receivedRounded));
    }

    @Test
    void aLaterStartOfTheAgentReplacesItsStatusWhateverTheClockSays() throws Exception {
        final String line = newLine();
        final Instant t = Instant.parse("2026-12-06T09:00:00Z");
        final Instant early = t.minusSeconds(3600); // a Pi started before NTP set its clock
        store.store(List.of(status(line, t, "colour@1", null)), t);
        assertThat(stored(line)).as("an agent that sends no start count").isEqualTo("online colour@1 null");
        store.store(List.of(status(line, t.minusSeconds(1), "colour@0", null)), t);
        assertThat(stored(line)).as("without counts, an older status changes nothing").isEqualTo("online colour@1 null");
        store.store(List.of(status(line, early, "colour@2", 5L)), t);
        assertThat(stored(line)).as("the first count replaces a status without one").isEqualTo("online colour@2 5");
        store.store(List.of(status(line, early.minusSeconds(10), "colour@1", 5L)), t);
        assertThat(stored(line)).as("within one start, time orders").isEqualTo("online colour@2 5");
        store.store(List.of(status(line, early.minusSeconds(60), "colour@3", 6L)), t);
        assertThat(stored(line)).as("a later start, clock stepped back again").isEqualTo("online colour@3 6");
        store.store(List.of(new Inbound(Topic.of(SITE, line, "dev-1", Kind.STATUS), Status.offline(t).withBoot(5))), t);
        assertThat(stored(line)).as("the last will of the start before, arriving late").isEqualTo("online colour@3 6");
        store.store(List.of(new Inbound(Topic.of(SITE, line, "dev-1", Kind.STATUS),
                Status.offline(early.minusSeconds(30)).withBoot(6))), t);
        assertThat(stored(line)).as("this start's own will").isEqualTo("offline colour@3 6");
        store.store(List.of(status(line, t.plusSeconds(60), "colour@4", 1L)), t);
        assertThat(stored(line)).as("a count started again (a re-imaged card), with a later time")
                .isEqualTo("online colour@4 1");
        store.store(List.of(status(line, t.plusSeconds(50), "colour@3", 1L)), t);
        assertThat(stored(line)).as("within the new count, time orders").isEqualTo("online colour@4 1");
    }

    // ------------------------------------------------------------------ helpers

    static Inbound status(final String line, final Instant time, final String model, final Long boot) {
        return new Inbound(Topic.of(SITE, line, "dev-1", Kind.STATUS), new Status(Status.State.ONLINE, time, "0.1.0",
                java.util.Map.of("cam0", model), "cfg", List.of(), boot));
    }

    /** The device's stored status: state, model and start count. */
    String stored(final String line) throws SQLException {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "SELECT status_state, models_json, boot FROM devices WHERE site = ? AND line = ? AND device = 'dev-1'")) {
            ps.setString(1, SITE);
            ps.setString(2, line);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                final String models = rs.getString(2);
                return rs.getString(1) + " " + models.substring(models.indexOf(":\"") + 2, models.lastIndexOf('"'))
                        + " " + rs.getObject(3);
            }
        }
    }

    static String newLine() {
        return "line-" + LINES.incrementAndGet() + "-" + Long.toString(System.nanoTime() % 1_000_000L, 36);
    }

    static Inbound reject(final String line, final String id, final Instant time, final String cls) {
        return reject(line, "dev-1", id, time, cls);
    }

    static Inbound reject(final String line, final String device, final String id, final Instant time,
                          final String cls) {
        return new Inbound(Topic.of(SITE, line, device, Kind.REJECT_BATCH), new RejectEvent(id, time, "cam0", cls,
                0.91, 12_345.5, 410, 12, 30, List.of(7, 8), 18, false, "colour-1.0.0", "lot-1", null));
    }

    long count(final String sql, final String line) throws SQLException {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, SITE);
            ps.setString(2, line);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The line's rejections as the per-minute rollup counts them. */
    long minutes(final String line) throws SQLException {
        return count("SELECT COALESCE(SUM(rejections), 0) FROM reject_minutes WHERE site = ? AND line = ?", line);
    }
}
