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
    private final AtomicLongArray rejected = new AtomicLongArray(DecodeError.Rule.values().length);

    void countReceived() {
        received.incrementAndGet();
    }

    void countStored(final int n, final int dup) {
        stored.addAndGet(n);
        duplicates.addAndGet(dup);
        batches.incrementAndGet();
    }

    void countStoreFailure() {
        storeFailures.incrementAndGet();
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

    /** A snapshot for JSON. */
    public Snapshot snapshot() {
        return new Snapshot(received(), stored(), duplicates(), rejectedTotal(), rejectedByRule(), batches(),
                storeFailures());
    }

    public record Snapshot(long received, long stored, long duplicates, long rejected,
                           Map<DecodeError.Rule, Long> rejectedByRule, long batches, long storeFailures) {
    }
}
