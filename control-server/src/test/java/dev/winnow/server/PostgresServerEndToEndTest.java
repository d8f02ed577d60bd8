package dev.winnow.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.server.config.ServerConfig;
import dev.winnow.server.external.Postgres;

/**
 * {@link ServerEndToEndTest}'s tests against a real PostgreSQL server started for this class (a fresh
 * cluster and database, the server's own Flyway migrations): the issue asks the same tests to pass on
 * both stores. Skipped without PostgreSQL installed, unless {@code WINNOW_EXTERNAL_TESTS=required}.
 */
class PostgresServerEndToEndTest extends ServerEndToEndTest {

    private Postgres postgres;

    @Override
    protected ServerConfig database(final ServerConfig config) throws Exception {
        postgres = Postgres.start();
        final Postgres.Db db = postgres.createDatabase();
        final ServerConfig c = config.withDb(db.jdbcUrl(), db.user(), db.password());
        assertThat(c.dbUrl()).as("the server must not fall back to embedded H2").startsWith("jdbc:postgresql:");
        return c;
    }

    @Override
    protected void afterServerStopped() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
    }
}
