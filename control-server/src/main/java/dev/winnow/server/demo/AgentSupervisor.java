package dev.winnow.server.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Keeps one agent process running: starts it with its output appended to its log file, and when it
 * dies says so (with the log's path) and starts it again after a backoff that doubles up to a cap and
 * resets once a run has lasted a while. {@link #stop} ends it: SIGTERM, then a forced kill after the
 * grace period.
 */
final class AgentSupervisor {

    /** A run that lasted at least this long resets the backoff. */
    private static final Duration STABLE_RUN = Duration.ofSeconds(60);
    /**
     * After an exit, how long to wait before calling it a death: on Ctrl-C the terminal sends SIGINT to
     * the agents too, and they may exit just before the demo's own shutdown begins.
     */
    private static final Duration EXIT_SETTLE = Duration.ofMillis(500);

    private final AgentSpec spec;
    private final List<String> command;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Consumer<String> report;
    private final Object lock = new Object();
    private final CountDownLatch stopping = new CountDownLatch(1);
    private final List<Long> pids = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private Process process; // guarded by lock
    private boolean stopped; // guarded by lock
    private volatile int starts;

    AgentSupervisor(final AgentSpec spec, final List<String> command, final Duration initialBackoff,
                    final Duration maxBackoff, final Consumer<String> report) {
        this.spec = spec;
        this.command = List.copyOf(command);
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
        this.report = report;
        this.thread = new Thread(this::superviseLoop, "demo-agent-" + spec.line());
        this.thread.setDaemon(true);
    }

    /** Starts the agent now (throws if it cannot be started at all) and keeps it running afterwards. */
    void start() {
        try {
            Files.createDirectories(spec.stateDir());
            Files.createDirectories(spec.log().getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + spec.stateDir() + " or " + spec.log().getParent(), e);
        }
        final Process first;
        try {
            first = launch();
        } catch (IOException e) {
            throw new DemoException("cannot start the agent for " + spec.line() + " (" + String.join(" ", command)
                    + "): " + e.getMessage(), e);
        }
        thread.start();
        if (first == null) {
            stopping.countDown();
        }
    }

    private Process launch() throws IOException {
        synchronized (lock) {
            if (stopped) {
                return null;
            }
            Files.writeString(spec.log(), "---- " + Instant.now() + " winnow demo: starting " + spec.line() + ": "
                            + String.join(" ", command) + System.lineSeparator(), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            final ProcessBuilder pb = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(Redirect.appendTo(spec.log().toFile()))
                    .redirectInput(Redirect.PIPE);
            process = pb.start();
            process.getOutputStream().close(); // the agent reads nothing from us
            pids.add(process.pid());
            starts++;
            return process;
        }
    }

    private void superviseLoop() {
        Duration backoff = initialBackoff;
        while (true) {
            final Process p;
            synchronized (lock) {
                p = process;
            }
            if (p == null) {
                return;
            }
            final long t0 = System.nanoTime();
            final int code;
            try {
                code = p.waitFor();
            } catch (InterruptedException e) {
                return;
            }
            final Duration ran = Duration.ofNanos(System.nanoTime() - t0);
            if (awaitStop(EXIT_SETTLE)) {
                return;
            }
            if (ran.compareTo(STABLE_RUN) >= 0) {
                backoff = initialBackoff;
            }
            report.accept("winnow demo: the agent of " + spec.line() + " (pid " + p.pid() + ") exited with code "
                    + code + " after " + seconds(ran) + "; its log: " + spec.log().toAbsolutePath().normalize()
                    + " — restarting in " + seconds(backoff));
            Process next = null;
            while (next == null) {
                if (awaitStop(backoff)) {
                    return;
                }
                backoff = min(backoff.multipliedBy(2), maxBackoff);
                try {
                    next = launch();
                    if (next == null) {
                        return;
                    }
                } catch (IOException e) {
                    report.accept("winnow demo: cannot restart the agent of " + spec.line() + ": " + e.getMessage()
                            + " — retrying in " + seconds(backoff));
                }
            }
        }
    }

    /** Waits up to {@code d}; true when the demo is stopping. */
    private boolean awaitStop(final Duration d) {
        try {
            return stopping.await(d.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    /** Marks this supervisor stopped (no more restarts) and sends SIGTERM; returns what must end. */
    List<ProcessHandle> terminate() {
        final Process p;
        synchronized (lock) {
            stopped = true;
            p = process;
        }
        stopping.countDown();
        thread.interrupt();
        final List<ProcessHandle> all = new ArrayList<>();
        if (p != null) {
            p.descendants().forEach(all::add);
            all.add(p.toHandle());
        }
        for (ProcessHandle h : all) {
            h.destroy(); // SIGTERM: the agent closes its valves, flushes its outbox and says goodbye
        }
        return all;
    }

    String line() {
        return spec.line();
    }

    AgentSpec spec() {
        return spec;
    }

    /** Every process id this supervisor started, in order. */
    List<Long> pids() {
        return List.copyOf(pids);
    }

    int starts() {
        return starts;
    }

    /** The running process, or null. */
    ProcessHandle current() {
        synchronized (lock) {
            return process != null && process.isAlive() ? process.toHandle() : null;
        }
    }

    private static Duration min(final Duration a, final Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static String seconds(final Duration d) {
        final long ms = d.toMillis();
        return ms < 10_000 ? String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0) : (ms / 1000) + " s";
    }
}
