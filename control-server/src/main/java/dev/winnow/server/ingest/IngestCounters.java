package dev.winnow.server.ingest;

import dev.winnow.protocol.DecodeError;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/** What the ingest has seen since start. Thread-safe; read any time. */
public final class IngestCounters {

    private final AtomicLong received = new AtomicLong();
    private final AtomicLong stored = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong storeFailures = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private final AtomicLongArray rejected = new AtomicLongArray(DecodeError.Rule.values().length);

    void countReceived() {
        received.incrementAndGet();
    }

    void countStored(final int n, final int dup) {
        stored.addAndGet(n);
        duplicates.addAndGet(dup);
        batches.incrementAndGet();
    }

    /** Batch sizes in powers of two: [1], [2-3], [4-7], ... [32768+]. */
    private final AtomicLongArray batchSizes = new AtomicLongArray(16);
    private final AtomicLong commitNanos = new AtomicLong();
    private final AtomicLong maxCommitNanos = new AtomicLong();

    void countBatch(final int size, final long nanos) {
        batchSizes.incrementAndGet(Math.min(15, 31 - Integer.numberOfLeadingZeros(Math.max(1, size))));
        commitNanos.addAndGet(nanos);
        maxCommitNanos.accumulateAndGet(nanos, Math::max);
    }

    /** Batches per size bucket (bucket i holds sizes 2^i .. 2^(i+1)-1), only non-empty buckets, e.g. "64-127": 12. */
    public Map<String, Long> batchSizeHistogram() {
        final Map<String, Long> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < batchSizes.length(); i++) {
            final long n = batchSizes.get(i);
            if (n > 0) {
                m.put(i == 0 ? "1" : i == 15 ? "32768+" : (1 << i) + "-" + ((1 << (i + 1)) - 1), n);
            }
        }
        return m;
    }

    /** Mean time per store transaction (ms). */
    public double meanCommitMs() {
        final long b = batches.get();
        return b == 0 ? 0 : commitNanos.get() / 1e6 / b;
    }

    public double maxCommitMs() {
        return maxCommitNanos.get() / 1e6;
    }

    void countStoreFailure() {
        storeFailures.incrementAndGet();
    }

    void countDeadLettered() {
        deadLettered.incrementAndGet();
    }

    /** Messages the database refused for good, kept in {@code ingest_dead_letters}. */
    public long deadLettered() {
        return deadLettered.get();
    }

    void countRejected(final DecodeError.Rule rule) {
        rejected.incrementAndGet(rule.ordinal());
    }

    public long received() {
        return received.get();
    }

    public long stored() {
        return stored.get();
    }

    public long duplicates() {
        return duplicates.get();
    }

    public long batches() {
        return batches.get();
    }

    public long storeFailures() {
        return storeFailures.get();
    }

    public long rejected(final DecodeError.Rule rule) {
        return rejected.get(rule.ordinal());
    }

    public long rejectedTotal() {
        long n = 0;
        for (int i = 0; i < rejected.length(); i++) {
            n += rejected.get(i);
        }
        return n;
    }

    /** Refusals per rule, only rules that refused something. */
    public Map<DecodeError.Rule, Long> rejectedByRule() {
        final Map<DecodeError.Rule, Long> m = new EnumMap<>(DecodeError.Rule.class);
        for (DecodeError.Rule r : DecodeError.Rule.values()) {
            final long n = rejected.get(r.ordinal());
            if (n > 0) {
                m.put(r, n);
            }
        }
        return m;
    }

    /**
     * A snapshot for JSON. A message is counted received before it is counted stored, rejected or dead-lettered,
     * so those are read first and {@code received} last: a message that arrives while the snapshot is taken can
     * then only raise {@code received}, and the snapshot never shows more stored than received.
     */
    public Snapshot snapshot() {
        final long deadLetteredNow = deadLettered();
        final long storeFailuresNow = storeFailures();
        final long batchesNow = batches();
        final Map<DecodeError.Rule, Long> byRule = rejectedByRule();
        final long rejectedNow = byRule.values().stream().mapToLong(Long::longValue).sum();
        final long duplicatesNow = duplicates();
        final long storedNow = stored();
        return new Snapshot(received(), storedNow, duplicatesNow, rejectedNow, byRule, batchesNow, storeFailuresNow,
                deadLetteredNow);
    }

    public record Snapshot(long received, long stored, long duplicates, long rejected,
                           Map<DecodeError.Rule, Long> rejectedByRule, long batches, long storeFailures,
                           long deadLettered) {
    }
}
