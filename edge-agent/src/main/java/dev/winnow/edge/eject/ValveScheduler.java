package dev.winnow.edge.eject;

import dev.winnow.hardware.sim.LineClock;
import dev.winnow.hardware.valve.ValveBank;
import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

/**
 * Switches valves at planned instants from one dedicated timing thread.
 *
 * <p>Overlapping or nearly touching pulses on the same valve are merged, so a valve never chatters.
 * No valve stays open longer than the cap, whatever was planned: the timing thread itself closes
 * it (the watchdog). The hot path allocates nothing: pending pulses live in fixed arrays, and the
 * thread parks until shortly before a deadline and then spins, because a JVM's timed park alone
 * overshoots by up to a millisecond or more.
 */
public final class ValveScheduler implements AutoCloseable {

    /** Pending pulses per valve; more than this many within the horizon is refused, not dropped silently. */
    static final int SLOTS = 64;
    private static final long SPIN_NANOS = 200_000;

    private final ValveBank valves;
    private final LineClock clock;
    private final long maxOnNanos;
    private final long mergeGapNanos;
    private final Object lock = new Object();
    private final long[][] opens;
    private final long[][] closes;
    private final int[] pending;
    private final boolean[] open;
    private final long[] openedAt;
    private final TimingLog timing;
    private long cycles;
    private long capClosures;
    private long refused;
    private volatile boolean running;
    private Thread thread;
    private volatile boolean realtime = true;
    private volatile boolean rejectAll;
    private volatile String priority = "none";
    private static final long REJECT_ALL_OFF_NANOS = 20_000_000L;

    /**
     * @param maxOnNanos    the on-time cap
     * @param mergeGapNanos pulses closer than this on one valve become one
     */
    public ValveScheduler(final ValveBank valves, final LineClock clock, final long maxOnNanos,
                          final long mergeGapNanos, final TimingLog timing) {
        this.valves = valves;
        this.clock = clock;
        this.maxOnNanos = maxOnNanos;
        this.mergeGapNanos = mergeGapNanos;
        this.timing = timing;
        final int n = valves.size();
        this.opens = new long[n][SLOTS];
        this.closes = new long[n][SLOTS];
        this.pending = new int[n];
        this.open = new boolean[n];
        this.openedAt = new long[n];
    }

    /** Whether the timing thread asks the kernel for SCHED_FIFO (default true; see {@link RealtimeThreads}). */
    public void setRealtime(final boolean realtime) {
        this.realtime = realtime;
    }

    /** What priority the timing thread got: fifo, nice or none. */
    public String priority() {
        return priority;
    }

    /**
     * The reject-all fail-safe: every valve open, re-opened after each on-time cap with a short
     * pause (the valves' duty cycle), until cleared. Planned pulses are kept and resume after.
     */
    public void setRejectAll(final boolean on) {
        synchronized (lock) {
            if (rejectAll && !on) {
                valves.closeAll();
                Arrays.fill(open, false);
                Arrays.fill(openedAt, 0);
            }
            rejectAll = on;
        }
        final Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    public boolean rejectAll() {
        return rejectAll;
    }

    /** Starts the timing thread at maximum priority. */
    public void start() {
        running = true;
        thread = new Thread(this::loop, "valve-timer");
        thread.setPriority(Thread.MAX_PRIORITY);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Schedules valves {@code first..last} open over {@code [openNanos, closeNanos)}.
     *
     * @return false when a valve's queue was full and the pulse could not be planned for it
     */
    public boolean schedule(final int first, final int last, final long openNanos, final long closeNanos) {
        boolean all = true;
        synchronized (lock) {
            for (int v = first; v <= last; v++) {
                all &= insert(v, openNanos, closeNanos);
            }
        }
        final Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
        return all;
    }

    private boolean insert(final int v, final long openNanos, final long closeNanos) {
        final long[] o = opens[v];
        final long[] c = closes[v];
        int n = pending[v];
        // Merge with every pending pulse it overlaps (with the gap), then insert in order.
        long start = openNanos;
        long end = closeNanos;
        int i = 0;
        while (i < n) {
            if (o[i] <= end + mergeGapNanos && start <= c[i] + mergeGapNanos) {
                start = Math.min(start, o[i]);
                end = Math.max(end, c[i]);
                System.arraycopy(o, i + 1, o, i, n - i - 1);
                System.arraycopy(c, i + 1, c, i, n - i - 1);
                n--;
            } else {
                i++;
            }
        }
        if (n == SLOTS) {
            pending[v] = n;
            refused++;
            return false;
        }
        int at = 0;
        while (at < n && o[at] < start) {
            at++;
        }
        System.arraycopy(o, at, o, at + 1, n - at);
        System.arraycopy(c, at, c, at + 1, n - at);
        // A valve already open for this pulse keeps its original open instant.
        o[at] = start;
        c[at] = end;
        pending[v] = n + 1;
        return true;
    }

    /** Switches every valve whose instant has come; returns the next instant anything is due. */
    public long runDue() {
        synchronized (lock) {
            final long now = clock.nanos();
            if (rejectAll) {
                return runRejectAll(now);
            }
            long next = Long.MAX_VALUE;
            for (int v = 0; v < pending.length; v++) {
                if (open[v]) {
                    final long due = pending[v] > 0 ? Math.min(closes[v][0], openedAt[v] + maxOnNanos)
                            : openedAt[v] + maxOnNanos;
                    if (due <= now) {
                        valves.close(v);
                        open[v] = false;
                        final boolean capped = pending[v] == 0 || closes[v][0] > openedAt[v] + maxOnNanos;
                        if (capped) {
                            capClosures++;
                        }
                        timing.record(clock.nanos() - due);
                        pop(v);
                    } else {
                        next = Math.min(next, due);
                        continue;
                    }
                }
                if (pending[v] > 0) {
                    final long due = opens[v][0];
                    if (due <= now) {
                        valves.open(v);
                        final long switched = clock.nanos();
                        timing.record(switched - due);
                        open[v] = true;
                        openedAt[v] = due;
                        cycles++;
                        next = Math.min(next, Math.min(closes[v][0], due + maxOnNanos));
                    } else {
                        next = Math.min(next, due);
                    }
                }
            }
            return next;
        }
    }

    private long runRejectAll(final long now) {
        long next = Long.MAX_VALUE;
        for (int v = 0; v < open.length; v++) {
            if (open[v]) {
                final long due = openedAt[v] + maxOnNanos;
                if (due <= now) {
                    valves.close(v);
                    open[v] = false;
                    openedAt[v] = now;
                    capClosures++;
                    next = Math.min(next, now + REJECT_ALL_OFF_NANOS);
                } else {
                    next = Math.min(next, due);
                }
            } else {
                // closed by the cap: wait the off time (openedAt holds the close instant)
                final long reopen = openedAt[v] + REJECT_ALL_OFF_NANOS;
                if (openedAt[v] == 0 || reopen <= now) {
                    valves.open(v);
                    open[v] = true;
                    openedAt[v] = now;
                    cycles++;
                    next = Math.min(next, now + maxOnNanos);
                } else {
                    next = Math.min(next, reopen);
                }
            }
        }
        // Pulses planned for the past are dropped; future ones resume when reject-all clears.
        for (int v = 0; v < pending.length; v++) {
            while (pending[v] > 0 && closes[v][0] <= now) {
                pop(v);
            }
        }
        return next;
    }

    private void pop(final int v) {
        final int n = pending[v];
        if (n > 0) {
            System.arraycopy(opens[v], 1, opens[v], 0, n - 1);
            System.arraycopy(closes[v], 1, closes[v], 0, n - 1);
            pending[v] = n - 1;
        }
    }

    private void loop() {
        if (realtime) {
            priority = RealtimeThreads.promoteCurrent(20);
        }
        while (running) {
            final long next = runDue();
            final long wait = next == Long.MAX_VALUE ? 50_000_000L : next - clock.nanos();
            if (wait > SPIN_NANOS) {
                LockSupport.parkNanos(Math.min(wait - SPIN_NANOS, 50_000_000L));
            } else if (wait > 0) {
                Thread.onSpinWait();
            }
        }
    }

    /** Valve cycles (openings) so far. */
    public long cycles() {
        synchronized (lock) {
            return cycles;
        }
    }

    /** Times the cap closed a valve before its planned close. */
    public long capClosures() {
        synchronized (lock) {
            return capClosures;
        }
    }

    public long refused() {
        synchronized (lock) {
            return refused;
        }
    }

    /** True when nothing is pending or open. */
    public boolean idle() {
        synchronized (lock) {
            for (int v = 0; v < pending.length; v++) {
                if (pending[v] > 0 || open[v]) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Stops the timer and closes every valve: the safe state. */
    @Override
    public void close() {
        running = false;
        final Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
            try {
                t.join(1_000);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (lock) {
            valves.closeAll();
            Arrays.fill(open, false);
            Arrays.fill(pending, 0);
        }
    }
}
