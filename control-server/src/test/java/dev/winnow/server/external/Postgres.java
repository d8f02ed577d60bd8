package dev.winnow.server.external;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL server as a child process: a fresh cluster ({@code initdb}) in a temporary folder,
 * {@code postgres} on a free loopback port (its unix socket in that folder, so it never meets a system
 * server's {@code /var/run/postgresql}), stopped and deleted on close.
 *
 * <pre>
 * try (Postgres pg = Postgres.start()) {
 *     final Postgres.Db db = pg.createDatabase();   // a new, empty database per test
 *     config.withDb(db.jdbcUrl(), db.user(), db.password());
 * }
 * </pre>
 *
 * <p>PostgreSQL refuses to run as root, so under root (CI containers) the folder is given to the
 * {@code postgres} system user the Debian package creates, and initdb and postgres run as that user
 * through {@code setpriv}. Host connections use SCRAM passwords, as in production; durability settings
 * ({@code fsync}) are off because the tests never crash the database server, only restart clients.
 */
public final class Postgres implements AutoCloseable {

    /** How a test reaches one database. */
    public record Db(String jdbcUrl, String user, String password) {
    }

    private static final String SYSTEM_USER = "postgres";
    private static final String SUPERUSER = "winnow";
    private static final AtomicInteger DATABASES = new AtomicInteger();

    private final Path dir;
    private final Process process;
    private final int port;
    private final String password;
    private final Thread reaper;

    private Postgres(final Path dir, final Process process, final int port, final String password) {
        this.dir = dir;
        this.process = process;
        this.port = port;
        this.password = password;
        // a test JVM that dies without close() must not leave a server running
        this.reaper = new Thread(process::destroyForcibly, "postgres-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
    }

    /** The {@code bin} folder holding initdb and postgres; skips or fails the test when there is none. */
    public static Path binDir() {
        final List<Path> candidates = new ArrayList<>();
        final String env = System.getenv("WINNOW_PG_BIN");
        if (env != null && !env.isBlank()) {
            candidates.add(Path.of(env, "postgres"));
        }
        External.debianPostgres("postgres").ifPresent(candidates::add);
        External.onPath("postgres").ifPresent(candidates::add);
        return External.binary("PostgreSQL", candidates).getParent();
    }

    /** Initialises a cluster and starts the server; returns once it accepts connections. */
    public static Postgres start() throws IOException, InterruptedException {
        final Path bin = binDir();
        final Path dir = Files.createTempDirectory("winnow-pg-");
        final Path log = dir.resolve("postgres.log");
        Process process = null;
        try {
            final String password = "pw-" + Long.toHexString(System.nanoTime());
            final Path pwfile = dir.resolve("pwfile");
            Files.writeString(pwfile, password + "\n");
            Files.writeString(log, "");
            if (External.root()) {
                External.chown(dir, SYSTEM_USER);
                External.chown(pwfile, SYSTEM_USER);
                External.chown(log, SYSTEM_USER);
            }
            External.run(External.asUser(SYSTEM_USER, List.of(bin.resolve("initdb").toString(),
                    "-D", dir.resolve("data").toString(), "-U", SUPERUSER, "--pwfile=" + pwfile,
                    "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync")),
                    log, 180);
            final int port = External.freePort();
            process = new ProcessBuilder(External.asUser(SYSTEM_USER, List.of(bin.resolve("postgres").toString(),
                    "-D", dir.resolve("data").toString(), "-p", Integer.toString(port), "-k", dir.toString(),
                    "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "full_page_writes=off")))
                    .directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            final Postgres pg = new Postgres(dir, process, port, password);
            pg.awaitReady(log);
            return pg;
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (process != null) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            External.deleteTree(dir);
            throw e;
        }
    }

    private void awaitReady(final Path log) throws IOException, InterruptedException {
        External.awaitPort("postgres", port, process, log, 60);
        // listening comes a moment before accepting logins ("the database system is starting up")
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try (Connection ignored = connect("postgres")) {
                return;
            } catch (SQLException e) {
                if (System.nanoTime() > deadline || !process.isAlive()) {
                    throw new IOException("postgres on " + port + " accepts no logins: " + e + "\n"
                            + External.tail(log), e);
                }
                Thread.sleep(100);
            }
        }
    }

    private Connection connect(final String database) throws SQLException {
        return DriverManager.getConnection(url(database), SUPERUSER, password);
    }

    private String url(final String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** A new, empty database, so each test starts from nothing and runs the migrations itself. */
    public Db createDatabase() throws SQLException {
        final String name = "winnow_" + DATABASES.incrementAndGet();
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return new Db(url(name), SUPERUSER, password);
    }

    public int port() {
        return port;
    }

    /** Fast shutdown (SIGINT: ends open sessions, unlike SIGTERM's wait for them), then deletes the cluster. */
    @Override
    public void close() throws InterruptedException {
        External.stop(process, "INT", 30);
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
        External.deleteTree(dir);
    }
}
