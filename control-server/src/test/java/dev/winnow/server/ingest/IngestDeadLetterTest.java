package dev.winnow.server.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.protocol.Decoded;
import dev.winnow.protocol.Kind;
import dev.winnow.protocol.RejectEvent;
import dev.winnow.protocol.Topic;
import dev.winnow.protocol.WireCodec;
import dev.winnow.server.broker.EmbeddedBroker;
import dev.winnow.server.fleet.FleetStore;
import dev.winnow.server.store.Database;
import dev.winnow.server.store.EventStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A message the database refuses for good must neither hold up the messages after it (retried forever) nor be
 * lost: it is kept in {@code ingest_dead_letters} and counted, and the rest of its batch is stored.
 */
class IngestDeadLetterTest {

    private static RejectEvent reject(final String id, final String model) {
        return new RejectEvent(id, Instant.now(), "cam0", "straw", 0.9, 1, 2, 3, 4, List.of(7), 18, false, model,
                null, null);
    }

    @Test
    void aMessageTheDatabaseRefusesIsKeptAsideAndTheRestAreStored(@TempDir final Path dir) throws Exception {
        try (EmbeddedBroker broker = EmbeddedBroker.start(dir.resolve("b"), "127.0.0.1", 0);
             Database db = Database.open(Database.embeddedUrl(dir), null, null)) {
            final EventStore store = new EventStore(db);
            // A rule the wire decoder does not know about stands for any value the database cannot hold.
            try (Connection c = db.connection(); Statement s = c.createStatement()) {
                s.execute("ALTER TABLE reject_events ADD CONSTRAINT no_poison CHECK (model IS NULL OR model <> 'poison')");
            }
            try (Ingest ingest = Ingest.start(broker.url(), "dead-letter-ingest", store, 1000, 200, r -> { })) {
                final MqttAsyncClient device = new MqttAsyncClient(broker.url(), "dl-dev", new MemoryPersistence());
                device.connect(new MqttConnectionOptions()).waitForCompletion(15_000);
                final String topic = Topic.of("s", "l", "d", Kind.REJECT).toString();
                for (RejectEvent e : List.of(reject("good-1", "m@1"), reject("bad-1", "poison"),
                        reject("good-2", null))) {
                    final MqttMessage m = new MqttMessage(WireCodec.encode(e));
                    m.setQos(1);
                    device.publish(topic, m).waitForCompletion(5_000);
                }
                waitFor(() -> store.countRejections() == 2 && ingest.counters().deadLettered() == 1);
                assertThat(store.countRejections()).isEqualTo(2);
                assertThat(ingest.counters().deadLettered()).isEqualTo(1);
                assertThat(store.deadLetterCount()).isEqualTo(1);
                try (Connection c = db.connection(); Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("SELECT topic, payload, error FROM ingest_dead_letters")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString("topic")).isEqualTo(topic);
                    final Decoded<RejectEvent> kept = WireCodec.decodeReject(rs.getBytes("payload"));
                    assertThat(kept.isOk()).isTrue();
                    assertThat(kept.orThrow().id()).isEqualTo("bad-1");
                    assertThat(rs.getString("error")).containsIgnoringCase("no_poison");
                }

                // Someone must look at it: the device's line carries a warning until it is stored.
                final FleetStore fleet = new FleetStore(db, store);
                assertThat(fleet.activeAlarms(Instant.now()))
                        .filteredOn(a -> EventStore.DEAD_LETTER_CAUSE.equals(a.cause()))
                        .singleElement()
                        .satisfies(a -> {
                            assertThat(List.of(a.site(), a.line(), a.device(), a.severity()))
                                    .containsExactly("s", "l", "d", "warning");
                            assertThat(a.message()).contains("reject message").containsIgnoringCase("no_poison")
                                    .contains("fleet page");
                        });

                // The ingest goes on: a later message is stored at once.
                final MqttMessage later = new MqttMessage(WireCodec.encode(reject("good-3", "m@1")));
                later.setQos(1);
                device.publish(topic, later).waitForCompletion(5_000);
                waitFor(() -> store.countRejections() == 3);
                assertThat(store.countRejections()).isEqualTo(3);

                // Once the cause is fixed and the message stored again, the warning clears.
                try (Connection c = db.connection(); Statement s = c.createStatement()) {
                    s.execute("ALTER TABLE reject_events DROP CONSTRAINT no_poison");
                }
                final long id = store.deadLetters(1).get(0).id();
                assertThat(store.storeDeadLetterAgain(id)).isTrue();
                assertThat(store.countRejections()).isEqualTo(4);
                assertThat(fleet.activeAlarms(Instant.now()))
                        .noneMatch(a -> EventStore.DEAD_LETTER_CAUSE.equals(a.cause()));
                device.disconnect().waitForCompletion(5_000);
                device.close();
            }
        }
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void waitFor(final Condition c) throws Exception {
        final long deadline = System.nanoTime() + 30_000_000_000L;
        while (!c.holds() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }
}
