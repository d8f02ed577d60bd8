package dev.winnow.server.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The connection pool and the schema. Embedded H2 in the data folder by default, any JDBC URL
 * (PostgreSQL in production) by configuration. Migrations run on open.
 */
public final class Database implements AutoCloseable {

    private final HikariDataSource pool;
    private final String url;

    private Database(final HikariDataSource pool, final String url) {
        this.pool = pool;
        this.url = url;
    }

    /** The embedded database's URL: a file in {@code dataDir}, PostgreSQL compatibility mode. */
    public static String embeddedUrl(final Path dataDir) {
        return "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("winnow")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_ON_EXIT=FALSE";
    }

    /**
     * Opens the pool and migrates the schema.
     *
     * @param url      JDBC URL
     * @param user     nullable
     * @param password nullable
     */
    public static Database open(final String url, final String user, final String password) {
        final HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(url);
        if (user != null) {
            hc.setUsername(user);
        }
        if (password != null) {
            hc.setPassword(password);
        }
        hc.setPoolName("winnow-db");
        hc.setMaximumPoolSize(6);
        hc.setMinimumIdle(1);
        hc.setConnectionTimeout(10_000);
        hc.setAutoCommit(true);
        final HikariDataSource pool;
        try {
            pool = new HikariDataSource(hc);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot open the database " + url + ": " + rootMessage(e), e);
        }
        try {
            Flyway.configure().dataSource(pool).locations("classpath:db/migration").load().migrate();
        } catch (RuntimeException e) {
            pool.close();
            throw new IllegalStateException("cannot migrate the database " + url + ": " + rootMessage(e), e);
        }
        return new Database(pool, url);
    }

    public DataSource dataSource() {
        return pool;
    }

    public Connection connection() throws SQLException {
        return pool.getConnection();
    }

    public String url() {
        return url;
    }

    /** True when a connection can be had and answers within two seconds. */
    public boolean isUp() {
        if (pool.isClosed()) {
            return false;
        }
        try (Connection c = pool.getConnection()) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public void close() {
        pool.close();
    }

    private static String rootMessage(final Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage();
    }
}
