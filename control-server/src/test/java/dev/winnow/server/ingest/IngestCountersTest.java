package dev.winnow.server.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.protocol.DecodeError;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class IngestCountersTest {

    /** /api/health once read 378 received against 380 stored while messages kept arriving. */
    @Test
    @Timeout(60)
    void aSnapshotTakenWhileMessagesArriveNeverShowsMoreStoredThanReceived() throws Exception {
        final IngestCounters counters = new IngestCounters();
        final AtomicBoolean stop = new AtomicBoolean();
        final Thread ingest = new Thread(() -> {
            while (!stop.get()) {
                counters.countReceived();
                counters.countStored(1, 0);
            }
        });
        ingest.start();
        try {
            for (int i = 0; i < 300_000; i++) {
                final IngestCounters.Snapshot s = counters.snapshot();
                assertThat(s.received()).as("snapshot %d", i).isGreaterThanOrEqualTo(s.stored());
            }
        } finally {
            stop.set(true);
            ingest.join();
        }
        assertThat(counters.snapshot().stored()).isPositive();
    }

    @Test
    void theRejectedTotalIsTheSumOverItsRules() {
        final IngestCounters counters = new IngestCounters();
        final DecodeError.Rule[] rules = DecodeError.Rule.values();
        counters.countRejected(rules[0]);
        counters.countRejected(rules[0]);
        counters.countRejected(rules[rules.length - 1]);
        final IngestCounters.Snapshot s = counters.snapshot();
        assertThat(s.rejected()).isEqualTo(3);
        assertThat(s.rejectedByRule().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(3);
    }
}
