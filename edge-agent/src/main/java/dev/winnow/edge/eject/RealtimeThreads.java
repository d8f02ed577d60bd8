package dev.winnow.edge.eject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Best-effort operating-system priority for the calling thread on Linux. The JVM cannot give one
 * thread a real-time policy, but the kernel can: the thread finds its own task id through
 * {@code /proc/thread-self} and asks {@code chrt} for SCHED_FIFO (or, failing that, {@code renice}).
 * Needs CAP_SYS_NICE (root, or {@code AmbientCapabilities=CAP_SYS_NICE} in the systemd unit); without
 * it the thread keeps its normal priority and a notice is logged. SCHED_FIFO is safe for the valve
 * timer because it parks between deadlines and spins at most ~200 µs; the kernel's RT throttling
 * (95 % by default) keeps a runaway from freezing the machine.
 */
public final class RealtimeThreads {

    private static final Logger LOG = LoggerFactory.getLogger(RealtimeThreads.class);

    private RealtimeThreads() {
    }

    /** The calling thread's Linux task id, or -1. */
    public static long currentTid() {
        try {
            final Path self = Path.of("/proc/thread-self").toRealPath();
            return Long.parseLong(self.getFileName().toString());
        } catch (final IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * Gives the calling thread SCHED_FIFO at {@code rtPriority} (1..99), else nice {@code -10}.
     *
     * @return what was applied: "fifo", "nice" or "none"
     */
    public static String promoteCurrent(final int rtPriority) {
        final long tid = currentTid();
        if (tid < 0 || !Files.isDirectory(Path.of("/proc/self/task"))) {
            return "none";
        }
        if (run("chrt", "-f", "-p", Integer.toString(rtPriority), Long.toString(tid))) {
            LOG.info("thread {} (tid {}) runs SCHED_FIFO {}", Thread.currentThread().getName(), tid, rtPriority);
            return "fifo";
        }
        if (run("renice", "-n", "-10", "-p", Long.toString(tid))) {
            LOG.info("thread {} (tid {}) runs at nice -10", Thread.currentThread().getName(), tid);
            return "nice";
        }
        LOG.warn("thread {} keeps normal priority (no CAP_SYS_NICE): valve timing may suffer under load",
                Thread.currentThread().getName());
        return "none";
    }

    /** Lowers the calling thread to nice {@code niceness} (best effort, e.g. for inference threads). */
    public static void demoteCurrent(final int niceness) {
        final long tid = currentTid();
        if (tid >= 0) {
            run("renice", "-n", Integer.toString(niceness), "-p", Long.toString(tid));
        }
    }

    private static boolean run(final String... cmd) {
        try {
            final Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(2, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (final IOException e) {
            return false;
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
