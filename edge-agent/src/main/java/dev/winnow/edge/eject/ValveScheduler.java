package dev.winnow.edge.eject;

import dev.winnow.hardware.sim.LineClock;
import dev.winnow.hardware.valve.ValveBank;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Switches valves at planned instants from one dedicated timing thread.
 *
 * <p>Overlapping or nearly touching pulses on the same valve are merged, so a valve never chatters.
 * No valve stays open longer than the cap, whatever was planned: the timing thread itself closes
 * it (the watchdog). The hot path allocates nothing: pending pulses live in fixed arrays, and the
 * thread parks until {@link #SPIN_NANOS} before a deadline and then spins, because a timed park alone
 * overshoots by up to a millisecond or more.
 *
 * <p>The timing thread never waits for another thread: {@link #schedule} only appends the request to
 * a bounded hand-off ring (producers serialise among themselves, never with the timer) and the timing
 * thread merges it into the per-valve queues on its next pass. A decision thread that the kernel
 * preempts while it holds a lock therefore can no longer hold the valve timer up (priority inversion:
 * under load that cost several milliseconds of switching error). Valve state is owned by the thread
 * that calls {@link #runDue} — the timing thread once {@link #start started}, else the caller (tests
 * with an injected clock).
 */
public final class ValveScheduler implements AutoCloseable {

    /** Pending pulses per valve; more than this many within the horizon is refused, not dropped silently. */
    static final int SLOTS = 64;
    /**
     * The timing thread parks until this long before a deadline, then spins. A timed park on a stock kernel wakes
     * late now and then, by more than a millisecond in a virtual machine: with 0.2 ms the fast-belt switching error
     * p99 was 0.44-3.7 ms, with 1.5 ms it was 0.08 ms. The price is up to 1.5 ms of one core per deadline.
     */
    static final long SPIN_NANOS = 1_500_000;

    private final ValveBank valves;
    private final LineClock clock;
    private final long maxOnNanos;
    private final long mergeGapNanos;
    /** Producers of {@link #schedule} requests serialise on this; the timing thread never takes it. */
    private final Object producers = new Object();
    static final int HANDOFF = 1024;
    private final int[] reqFirst = new int[HANDOFF];
    private final int[] reqLast = new int[HANDOFF];
    private final long[] reqOpen = new long[HANDOFF];
    private final long[] reqClose = new long[HANDOFF];
    /** Requests [0, published) are written; [0, consumed) are merged by the timer. */
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong consumed = new AtomicLong();
    private long tail;
    private volatile int busyValves;
    /**
     * Requests [0, settled) are merged and {@link #busyValves} counts them: written after busyValves at the end of a
     * pass, so a reader between the merge and the count never sees the old count with the new requests.
     */
    private volatile long settled;
    private boolean rejectAllActive;
    private final long[][] opens;
    private final long[][] closes;
    private final int[] pending;
    private final boolean[] open;
    private final long[] openedAt;
    private final TimingLog timing;
    private volatile long cycles;
    private volatile long capClosures;
    private volatile long refused;
    private volatile long handoffRefused;
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
        rejectAll = on;
        final Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        } else if (!on) {
            // No timing thread: the caller owns the valves; clear at once.
            runDue();
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
        if (first < 0 || last >= pending.length || first > last) {
            throw new IllegalArgumentException("valves " + first + ".." + last + " outside 0.." + (pending.length - 1));
        }
        synchronized (producers) {
            if (tail - consumed.get() >= HANDOFF) {
                handoffRefused++;
                return false;
            }
            final int i = (int) (tail % HANDOFF);
            reqFirst[i] = first;
            reqLast[i] = last;
            reqOpen[i] = openNanos;
            reqClose[i] = closeNanos;
            tail++;
            published.set(tail);
        }
        final Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
        return true;
    }

    /** Merges every handed-off request into the per-valve queues (timing thread). */
    private long drainRequests() {
        final long to = published.get();
        long c = consumed.get();
        while (c < to) {
            final int i = (int) (c % HANDOFF);
            for (int v = reqFirst[i]; v <= reqLast[i]; v++) {
                if (!insert(v, reqOpen[i], reqClose[i])) {
                    refused++;
                }
            }
            c++;
        }
        consumed.set(c);
        return c;
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

    /**
     * Merges handed-off requests, then switches every valve whose instant has come; returns the next
     * instant anything is due. Called by the timing thread only (or, without one, by a single caller).
     */
    public long runDue() {
        final long merged = drainRequests();
        final long now = clock.nanos();
        final boolean reject = rejectAll;
        if (reject != rejectAllActive) {
            rejectAllActive = reject;
            if (!reject) {
                valves.closeAll();
                Arrays.fill(open, false);
                Arrays.fill(openedAt, 0);
            }
        }
        if (reject) {
            final long next = runRejectAll(now);
            busyValves = open.length;
            settled = merged;
            return next;
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
        int busy = 0;
        for (int v = 0; v < pending.length; v++) {
            if (open[v] || pending[v] > 0) {
                busy++;
            }
        }
        busyValves = busy;
        settled = merged;
        return next;
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
        return cycles;
    }

    /** Times the cap closed a valve before its planned close. */
    public long capClosures() {
        return capClosures;
    }

    /** Pulses (per valve) refused because a valve's queue was full, plus requests refused at the hand-off. */
    public long refused() {
        return refused + handoffRefused;
    }

    /** True when nothing is pending or open (as of the timing thread's last pass). */
    public boolean idle() {
        final long merged = settled;
        return published.get() == merged && busyValves == 0;
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
        // The timing thread has stopped (or never ran): this thread owns the valves now.
        valves.closeAll();
        Arrays.fill(open, false);
        Arrays.fill(pending, 0);
        final long all = published.get();
        consumed.set(all);
        busyValves = 0;
        settled = all;
    }
}
