package dev.winnow.server.external;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * What the tests against real external processes (Mosquitto, PostgreSQL) share: finding the binaries, the
 * skip-or-fail switch, ports, file ownership and signals.
 *
 * <p>A developer's machine may lack Mosquitto or PostgreSQL, so by default a missing binary skips the test
 * with a message naming it. CI sets {@code WINNOW_EXTERNAL_TESTS=required}: then a missing binary fails the
 * test, so a broken install can never turn the external runs into silent skips.
 */
public final class External {

    /** Environment variable: {@code required} makes a missing binary a failure instead of a skip. */
    public static final String ENV = "WINNOW_EXTERNAL_TESTS";

    private External() {
    }

    /** True when {@value #ENV} is {@code required}. */
    public static boolean required() {
        return "required".equalsIgnoreCase(System.getenv(ENV));
    }

    /**
     * The first executable candidate; otherwise skips the calling test, or fails it when
     * {@link #required()}.
     *
     * @param what       the component's name for the message, e.g. "Mosquitto"
     * @param candidates where to look, in order
     */
    public static Path binary(final String what, final List<Path> candidates) {
        for (final Path p : candidates) {
            if (p != null && Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        final String msg = what + " is not installed (looked for " + candidates + "); "
                + (required() ? ENV + "=required, so this is a failure"
                : "skipping the tests against a real " + what + " (set " + ENV + "=required to make this fail)");
        if (required()) {
            return Assertions.fail(msg);
        }
        return Assumptions.abort(msg);
    }

    /** {@code name} on the PATH, if any. */
    static Optional<Path> onPath(final String name) {
        final String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (final String d : path.split(":")) {
            final Path p = Path.of(d, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** The newest {@code /usr/lib/postgresql/N/bin} that holds {@code name} (Debian's layout). */
    static Optional<Path> debianPostgres(final String name) {
        final Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.filter(v -> v.getFileName().toString().matches("\\d+"))
                    .max(Comparator.comparingInt(v -> Integer.parseInt(v.getFileName().toString())))
                    .map(v -> v.resolve("bin").resolve(name));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Both services refuse, or drop, root: they must run as their own system users then. */
    static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** A port free on loopback right now (another process may take it before it is used; rare on loopback). */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    /** Waits until something accepts TCP connections on 127.0.0.1:port, or fails naming the process's log. */
    static void awaitPort(final String what, final int port, final Process p, final Path log, final long seconds)
            throws IOException, InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            if (!p.isAlive()) {
                throw new IOException(what + " exited with " + p.exitValue() + " before listening on " + port
                        + ":\n" + tail(log));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    throw new IOException(what + " did not listen on " + port + " within " + seconds + " s:\n"
                            + tail(log));
                }
                Thread.sleep(50);
            }
        }
    }

    /** Gives {@code path} (not recursively) to a system user and its group, as root does with chown. */
    static void chown(final Path path, final String user) throws IOException {
        final UserPrincipalLookupService users = FileSystems.getDefault().getUserPrincipalLookupService();
        final UserPrincipal u = users.lookupPrincipalByName(user);
        final GroupPrincipal g = users.lookupPrincipalByGroupName(user);
        final PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
        view.setOwner(u);
        view.setGroup(g);
    }

    /**
     * Sends a signal ({@code HUP}, {@code INT}, ...): Java itself can send only TERM and KILL. Through the
     * shell's built-in kill, since a minimal image may lack procps' kill(1).
     */
    static void signal(final Process p, final String signal) throws IOException, InterruptedException {
        if (!signal.matches("[A-Z]{2,8}")) {
            throw new IllegalArgumentException("not a signal name: " + signal);
        }
        final Process kill = new ProcessBuilder("sh", "-c", "kill -s " + signal + " " + p.pid())
                .redirectErrorStream(true).start();
        final String out = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IOException("kill -s " + signal + " " + p.pid() + " failed: " + out);
        }
    }

    /** Runs a command to its end (up to {@code seconds}), its output to {@code log}; fails with the log's end. */
    static void run(final List<String> command, final Path log, final long seconds)
            throws IOException, InterruptedException {
        // working folder beside the log: a service user may not enter the caller's (initdb warns, pg exits)
        final Process p = new ProcessBuilder(command).directory(log.getParent().toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish in " + seconds + " s:\n" + tail(log));
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " exited with " + p.exitValue() + ":\n" + tail(log));
        }
    }

    /** The command prefixed to run as {@code user} when we are root ({@code setpriv} execs in place, so the
     *  process we hold is the service itself and signals reach it directly). */
    static List<String> asUser(final String user, final List<String> command) {
        if (!root()) {
            return command;
        }
        final List<String> c = new ArrayList<>(List.of("setpriv", "--reuid=" + user, "--regid=" + user,
                "--init-groups", "--"));
        c.addAll(command);
        return c;
    }

    /** Stops a process: {@code signal}, then SIGKILL if it has not exited within {@code seconds}. */
    static void stop(final Process p, final String signal, final long seconds) throws InterruptedException {
        if (!p.isAlive()) {
            return;
        }
        try {
            signal(p, signal);
        } catch (IOException e) {
            p.destroy();
        }
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** The last lines of a log file, for failure messages. */
    static String tail(final Path log) {
        try (InputStream in = Files.newInputStream(log)) {
            final String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return all.length() <= 3_000 ? all : "..." + all.substring(all.length() - 3_000);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Deletes a folder tree, best effort (a leftover temp folder must not fail a test). */
    static void deleteTree(final Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
