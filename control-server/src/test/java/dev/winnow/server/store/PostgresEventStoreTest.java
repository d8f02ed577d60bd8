package dev.winnow.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.server.external.Postgres;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * {@link EventStoreTest}'s tests on a real PostgreSQL (a fresh cluster and database, the server's own
 * migrations), where rejections go through {@code COPY}, and what only PostgreSQL runs: two servers'
 * writers storing the same ids at the same time. Skipped without PostgreSQL installed, unless
 * {@code WINNOW_EXTERNAL_TESTS=required}.
 */
class PostgresEventStoreTest extends EventStoreTest {

    private Postgres postgres;

    @Override
    protected Database open(final Path dir) throws Exception {
        postgres = Postgres.start();
        final Postgres.Db pg = postgres.createDatabase();
        final Database d = Database.open(pg.jdbcUrl(), pg.user(), pg.password());
        assertThat(d.url()).startsWith("jdbc:postgresql:");
        return d;
    }

    @Override
    protected void afterClose() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void twoWritersStoringTheSameIdsAtOnceStoreEachOnce() throws Exception {
        final String line = newLine();
        final Instant t = Instant.parse("2026-12-05T06:04:00Z");
        final int ids = 2_000;
        final int rounds = 5;
        final EventStore other = new EventStore(db); // another server's writer: its own connection
        final ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            int stored = 0;
            int duplicates = 0;
            for (int round = 0; round < rounds; round++) {
                // the same ids (as a broker's redelivery to another server would bring them) from two devices,
                // so neither waits for the other's device row: the second COPY meets the first's uncommitted ids
                final List<Inbound> one = new ArrayList<>();
                final List<Inbound> two = new ArrayList<>();
                for (int i = 0; i < ids; i++) {
                    one.add(reject(line, "dev-1", "r" + round + "-" + i, t, "straw"));
                    two.add(reject(line, "dev-2", "r" + round + "-" + i, t, "straw"));
                }
                final Future<BatchResult> a = pool.submit(() -> store.store(one, t));
                final Future<BatchResult> b = pool.submit(() -> other.store(two, t));
                stored += a.get().stored() + b.get().stored();
                duplicates += a.get().duplicates() + b.get().duplicates();
            }
            assertThat(stored).isEqualTo(ids * rounds);
            assertThat(duplicates).isEqualTo(ids * rounds);
        } finally {
            pool.shutdownNow();
        }
        assertThat(count("SELECT COUNT(*) FROM reject_events WHERE site = ? AND line = ?", line))
                .isEqualTo((long) ids * rounds);
        assertThat(minutes(line)).isEqualTo((long) ids * rounds);
    }
}
