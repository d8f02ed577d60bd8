package dev.winnow.server.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.protocol.Kind;
import dev.winnow.protocol.RejectEvent;
import dev.winnow.protocol.Topic;
import dev.winnow.protocol.WireCodec;
import dev.winnow.server.broker.EmbeddedBroker;
import dev.winnow.server.store.Database;
import dev.winnow.server.store.EventStore;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Semaphore;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A burst far larger than HiveMQ's default per-client queue (1,000 messages, the excess discarded with a
 * PUBACK to the sender) published while the ingest is offline: every event must be stored once it is back.
 */
class IngestBurstTest {

    @Test
    void aBurstLargerThanTheBrokersDefaultQueueIsStoredCompletely(@TempDir final Path dir) throws Exception {
        final int n = 5_000;
        try (EmbeddedBroker broker = EmbeddedBroker.start(dir.resolve("b"), "127.0.0.1", 0);
             Database db = Database.open(Database.embeddedUrl(dir), null, null)) {
            final EventStore store = new EventStore(db);
            Ingest.start(broker.url(), "burst-ingest", store, 1000, 20, r -> { }).close(); // session + subscriptions
            final MqttAsyncClient device = new MqttAsyncClient(broker.url(), "burst-dev", new MemoryPersistence());
            device.connect(new MqttConnectionOptions()).waitForCompletion(15_000);
            final Semaphore window = new Semaphore(200);
            final String topic = Topic.of("s", "l", "d", Kind.REJECT).toString();
            final MqttActionListener release = new MqttActionListener() {
                @Override
                public void onSuccess(final IMqttToken t) {
                    window.release();
                }

                @Override
                public void onFailure(final IMqttToken t, final Throwable e) {
                    window.release();
                }
            };
            for (int i = 0; i < n; i++) {
                final MqttMessage m = new MqttMessage(WireCodec.encode(new RejectEvent("burst-" + i, Instant.now(),
                        "cam0", "straw", 0.9, 1, 2, 3, 4, List.of(7), 18, false, null, null, null)));
                m.setQos(1);
                window.acquire();
                device.publish(topic, m, null, release);
            }
            window.acquire(200); // every publish acknowledged by the broker
            device.disconnect().waitForCompletion(5_000);
            device.close();
            try (Ingest ingest = Ingest.start(broker.url(), "burst-ingest", store, 1000, 20, r -> { })) {
                final long deadline = System.nanoTime() + 90_000_000_000L;
                while (store.countRejections() < n && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                assertThat(store.countRejections()).isEqualTo(n);
                assertThat(ingest.counters().duplicates()).isZero();
            }
        }
    }
}
