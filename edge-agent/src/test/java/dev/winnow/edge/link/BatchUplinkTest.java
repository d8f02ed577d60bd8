package dev.winnow.edge.link;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.protocol.Alarm;
import dev.winnow.protocol.DecodeError;
import dev.winnow.protocol.Kind;
import dev.winnow.protocol.RejectBatch;
import dev.winnow.protocol.RejectEvent;
import dev.winnow.protocol.Topic;
import dev.winnow.protocol.WireCodec;
import dev.winnow.server.WinnowServer;
import dev.winnow.server.auth.Credentials;
import dev.winnow.server.config.SecurityConfig;
import dev.winnow.server.config.ServerConfig;
import dev.winnow.server.store.Rejection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real uplink's batched rejections through a real server (embedded HiveMQ with device authentication,
 * embedded H2): every event stored exactly once, also when the same batches are delivered again.
 */
class BatchUplinkTest {

    private static final String SITE = "batch-mill";
    private static final String LINE = "l1";

    private static void await(final String what, final long seconds, final BooleanSupplier ok)
            throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!ok.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    private static Uplink uplink(final WinnowServer server, final Credentials cred, final Path state)
            throws Exception {
        return new Uplink(new Uplink.Settings(server.mqttUrl(), SITE, LINE, "pi-1", cred.username(), cred.password(),
                state, "test"), Clock.systemUTC());
    }

    private static void assertStoredExactly(final WinnowServer server, final int n) {
        final List<Rejection> stored = server.store().latestRejections(SITE, LINE, n + 100);
        assertThat(stored).extracting(Rejection::id).doesNotHaveDuplicates();
        assertThat(stored).hasSize(n);
        assertThat(stored).extracting(Rejection::id)
                .containsExactlyInAnyOrderElementsOf(java.util.stream.IntStream.range(0, n)
                        .mapToObj(i -> "pi-1-" + i).toList());
    }

    private static void copyTree(final Path from, final Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (final Path p : s.toList()) {
                final Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    @Test
    void aBacklogGoesAsBatchesAndIsStoredOnceEvenWhenDeliveredAgain(@TempDir final Path dir) throws Exception {
        final int n = 3_000;
        try (WinnowServer server = WinnowServer.start(ServerConfig.ephemeral(dir.resolve("server"))
                .withSecurity(SecurityConfig.production()))) {
            final Credentials cred = server.devices().enrol(SITE, LINE, "pi-1");
            final Path state = dir.resolve("agent");
            final Path copy = dir.resolve("agent-copy");
            // a backlog, as after an outage: the events (and an alarm among them) wait in the outbox
            try (Uplink link = uplink(server, cred, state)) {
                for (int i = 0; i < n; i++) {
                    link.send(AgentProcess.event("pi-1-" + i));
                    if (i == n / 2) {
                        link.send(new Alarm("alarm-1", Instant.now(), Alarm.State.RAISED, Alarm.Severity.WARNING,
                                "camera_stall", "camera cam0 sent no frame for 2.0 s", "cam0"));
                    }
                }
            }
            copyTree(state, copy); // the outbox as it was before anything was sent
            final long receivedBefore = server.ingestCounters().received();
            try (Uplink link = uplink(server, cred, state)) {
                link.start(null, c -> { });
                assertThat(link.drain(60, TimeUnit.SECONDS)).isTrue();
                assertThat(link.sent()).isEqualTo(n + 1);
                assertThat(link.batchesSent()).as("the backlog went in batches").isGreaterThan(0);
            }
            await("all stored", 30, () -> server.store().countRejections() >= n);
            assertStoredExactly(server, n);
            assertThat(server.store().countAlarms()).isEqualTo(1);
            final long messages = server.ingestCounters().received() - receivedBefore;
            assertThat(messages).as("MQTT messages for %d events", n).isLessThan(n / 10);

            // a crash after the PUBACKs but before the outbox recorded them: the same batches come again
            final long duplicatesBefore = server.ingestCounters().duplicates();
            try (Uplink again = uplink(server, cred, copy)) {
                again.start(null, c -> { });
                assertThat(again.drain(60, TimeUnit.SECONDS)).isTrue();
                assertThat(again.batchesSent()).isGreaterThan(0);
            }
            await("the redelivery processed", 30,
                    () -> server.ingestCounters().duplicates() - duplicatesBefore >= n + 1);
            assertStoredExactly(server, n);
            assertThat(server.store().countAlarms()).isEqualTo(1);
        }
    }

    @Test
    void theSameBatchMessageTwiceIsStoredOnceAndABadBatchStoresNothing(@TempDir final Path dir) throws Exception {
        try (WinnowServer server = WinnowServer.start(ServerConfig.ephemeral(dir.resolve("server"))
                .withSecurity(SecurityConfig.production()))) {
            final Credentials cred = server.devices().enrol(SITE, LINE, "pi-1");
            final List<RejectEvent> events = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                events.add(AgentProcess.event("pi-1-" + i));
            }
            final byte[] batch = WireCodec.encode(new RejectBatch(events));
            final String topic = Topic.of(SITE, LINE, "pi-1", Kind.REJECT_BATCH).toString();
            final MqttClient c = new MqttClient(server.mqttUrl(), "batch-test-raw", new MemoryPersistence());
            final MqttConnectionOptions o = new MqttConnectionOptions();
            o.setUserName(cred.username());
            o.setPassword(cred.password().getBytes(StandardCharsets.UTF_8));
            c.connect(o);
            try {
                final MqttMessage m = new MqttMessage(batch);
                m.setQos(1);
                c.publish(topic, m);
                c.publish(topic, m); // QoS 1 redelivery, or a device resending after a crash
                final String bad = new String(batch, StandardCharsets.UTF_8)
                        .replace("\"id\":\"pi-1-7\"", "\"id\":\"pi-1-x7\"")
                        .replace("\"id\":\"pi-1-9\",", "\"id\":\"pi-1-9\",\"confidence2\":1,");
                final MqttMessage badMessage = new MqttMessage(bad.getBytes(StandardCharsets.UTF_8));
                badMessage.setQos(1);
                c.publish(topic, badMessage);
            } finally {
                c.disconnect();
                c.close();
            }
            await("the bad batch refused", 30,
                    () -> server.ingestCounters().rejected(DecodeError.Rule.UNKNOWN_FIELD) == 1);
            await("both copies processed", 30, () -> server.ingestCounters().duplicates() >= 50);
            assertStoredExactly(server, 50);
            assertThat(server.store().latestRejections(SITE, LINE, 100)).extracting(Rejection::id)
                    .doesNotContain("pi-1-x7");
        }
    }
}
