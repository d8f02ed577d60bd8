package dev.winnow.edge.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.winnow.protocol.Kind;
import dev.winnow.protocol.Schema;
import dev.winnow.protocol.Topic;
import dev.winnow.protocol.WireCodec;
import dev.winnow.server.WinnowServer;
import dev.winnow.server.auth.Credentials;
import dev.winnow.server.config.SecurityConfig;
import dev.winnow.server.config.ServerConfig;
import dev.winnow.server.store.Rejection;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault tests with real processes on loopback: a real control server (embedded HiveMQ broker with
 * device authentication and ACLs, embedded H2) and real agents' uplinks. After each: every event the
 * agent fired is stored, exactly once.
 *
 * <p>Scaled for the suite: the broker outage lasts {@value #OUTAGE_S} s instead of the 60 s
 * (nothing in the outbox depends on the length: it is bounded by bytes, and 60 s at 200 events/s is
 * 12,000 events, far below the bound). Set {@code -Dwinnow.fault.outage-s=60} for the full length.
 * With the embedded broker, stopping the broker means stopping the whole server (it lives inside).
 */
class FaultTest {

    static final int OUTAGE_S = 12;
    private static final String SITE = "fault-mill";
    private static final String LINE = "l1";

    private static ServerConfig config(final Path dir) {
        return ServerConfig.ephemeral(dir).withSecurity(SecurityConfig.production());
    }

    private static void await(final String what, final long seconds, final java.util.function.BooleanSupplier ok)
            throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!ok.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    private static void assertStoredExactly(final WinnowServer server, final String device, final int n) {
        final List<Rejection> stored = server.store().latestRejections(SITE, LINE, n + 100).stream()
                .filter(r -> r.device().equals(device)).toList();
        assertThat(stored).extracting(Rejection::id).doesNotHaveDuplicates();
        assertThat(stored).hasSize(n);
        for (int i = 0; i < n; i++) {
            final String id = device + "-" + i;
            assertThat(stored).anyMatch(r -> r.id().equals(id));
        }
    }

    /** (1) broker outage, (3) server restarts, while one agent keeps firing events. */
    @Test
    void brokerOutageAndServerRestartsLoseNothing(@TempDir final Path dir) throws Exception {
        final int outage = Integer.getInteger("winnow.fault.outage-s", OUTAGE_S);
        WinnowServer server = WinnowServer.start(config(dir.resolve("server")));
        final ServerConfig fixed = server.config().withMqttPort(server.mqttPort()).withHttpPort(server.httpPort());
        final Credentials cred = server.devices().enrol(SITE, LINE, "pi-1");
        final int n = 200 * (outage + 14);
        final AtomicInteger fired = new AtomicInteger();
        try (Uplink link = new Uplink(new Uplink.Settings(server.mqttUrl(), SITE, LINE, "pi-1", cred.username(),
                cred.password(), dir.resolve("agent"), "test"), Clock.systemUTC())) {
            link.start(null, c -> { });
            final Thread firing = new Thread(() -> {
                final long t0 = System.nanoTime();
                try {
                    for (int i = 0; i < n; i++) {
                        while (System.nanoTime() < t0 + i * 5_000_000L) {
                            Thread.sleep(1);
                        }
                        link.send(AgentProcess.event("pi-1-" + i));
                        fired.incrementAndGet();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            firing.start();
            Thread.sleep(3_000);
            server.close(); // (1) the broker (inside the server) goes away for `outage` seconds
            final int atStop = fired.get();
            Thread.sleep(outage * 1000L);
            assertThat(link.isConnected()).isFalse();
            assertThat(fired.get()).as("the agent keeps firing into its outbox").isGreaterThan(atStop + 100 * outage);
            server = WinnowServer.start(fixed);
            Thread.sleep(2_000);
            server.close(); // (3) two quick server restarts mid-stream
            server = WinnowServer.start(fixed);
            Thread.sleep(1_500);
            server.close();
            server = WinnowServer.start(fixed);
            firing.join();
            assertThat(link.drain(60, TimeUnit.SECONDS)).isTrue();
            final WinnowServer s = server;
            await("all stored", 30, () -> s.store().countRejections() >= n);
            Thread.sleep(500);
            assertThat(s.store().countRejections()).isEqualTo(n);
            assertStoredExactly(s, "pi-1", n);
            assertThat(link.reconnects()).as("reconnected after the outage").isGreaterThanOrEqualTo(2);
        } finally {
            server.close();
        }
    }

    /** (2) the agent's JVM is killed with kill -9 mid-stream and restarted on the same state folder. */
    @Test
    void agentKilledMidStreamLosesNothing(@TempDir final Path dir) throws Exception {
        try (WinnowServer server = WinnowServer.start(config(dir.resolve("server")))) {
            final Credentials cred = server.devices().enrol(SITE, LINE, "pi-2");
            final int n = 3_000;
            final Path state = dir.resolve("agent");
            int lastWritten = -1;
            for (int round = 0; round < 3; round++) {
                final Process p = spawn(server.mqttUrl(), state, "pi-2", lastWritten + 1, n, cred);
                final BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8));
                final int killAfter = round < 2 ? 600 + round * 300 : Integer.MAX_VALUE;
                String l;
                int written = 0;
                boolean done = false;
                while ((l = out.readLine()) != null) {
                    if (l.startsWith("W ")) {
                        lastWritten = Integer.parseInt(l.substring(2));
                        if (++written >= killAfter) {
                            p.destroyForcibly(); // SIGKILL: no shutdown hook, no flush, no goodbye
                            break;
                        }
                    } else if (l.startsWith("DONE")) {
                        done = true;
                    }
                }
                p.waitFor(30, TimeUnit.SECONDS);
                if (round == 2) {
                    assertThat(done).as("the last agent run finishes").isTrue();
                }
            }
            await("all stored", 60, () -> server.store().countRejections() >= n);
            Thread.sleep(500);
            assertStoredExactly(server, "pi-2", n);
        }
    }

    private static Process spawn(final String url, final Path state, final String device, final int from,
                                 final int to, final Credentials c) throws Exception {
        final List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"), "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                AgentProcess.class.getName(), url, state.toString(), SITE, LINE, device, Integer.toString(from),
                Integer.toString(to), "500", c.username(), c.password()));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /** (4) a device publishing under another device's topic, or with a wrong password, is refused. */
    @Test
    void aDeviceCannotImpersonateAnother(@TempDir final Path dir) throws Exception {
        try (WinnowServer server = WinnowServer.start(config(dir.resolve("server")))) {
            server.devices().enrol(SITE, LINE, "victim");
            final Credentials intruder = server.devices().enrol(SITE, LINE, "intruder");
            // no credentials, or a wrong password: no connection at all
            assertThatThrownBy(() -> connect(server.mqttUrl(), "anon", null, null)).isInstanceOf(MqttException.class);
            assertThatThrownBy(() -> connect(server.mqttUrl(), "guess", "fault-mill.l1.victim", "guess"))
                    .isInstanceOf(MqttException.class);
            MqttAsyncClient c = connect(server.mqttUrl(), "winnow-intruder", intruder.username(),
                    intruder.password());
            final String victimTopic = Topic.of(SITE, LINE, "victim", Kind.REJECT).toString();
            final MqttMessage m = new MqttMessage(WireCodec.encode(AgentProcess.event("forged-1")));
            m.setQos(1);
            final IMqttToken t = c.publish(victimTopic, m);
            // HiveMQ answers an unauthorised MQTT 5 publish with PUBACK NOT_AUTHORIZED (0x87) and then
            // disconnects with the same reason; which of the two the client reports first is a race.
            try {
                t.waitForCompletion(10_000);
                assertThat(t.getReasonCodes()).as("PUBACK says not authorised").containsExactly(0x87);
            } catch (MqttException e) {
                assertThat(e.getMessage()).as("disconnected as not authorised").contains("RC: 135");
            }
            c = reconnectIfDropped(c, server.mqttUrl(), intruder);
            final IMqttToken sub = c.subscribe(Topic.devicePrefix(SITE, LINE, "victim") + "cmd/+", 1);
            try {
                sub.waitForCompletion(10_000);
                assertThat(sub.getReasonCodes()[0]).isGreaterThanOrEqualTo(0x80);
            } catch (MqttException e) {
                assertThat(e.getMessage()).as("disconnected as not authorised").contains("RC: 135");
            }
            c = reconnectIfDropped(c, server.mqttUrl(), intruder);
            // its own topic works, so the refusal was about the topic
            final IMqttToken own = c.publish(Topic.of(SITE, LINE, "intruder", Kind.REJECT).toString(),
                    new MqttMessage(WireCodec.encode(AgentProcess.event("own-1")), 1, false, null));
            own.waitForCompletion(10_000);
            await("own stored", 15, () -> server.store().countRejections() == 1);
            Thread.sleep(500);
            assertThat(server.store().countRejections()).isEqualTo(1);
            assertThat(server.store().latestRejections(SITE, LINE, 10)).extracting(Rejection::id)
                    .containsExactly("own-1");
            assertThat(server.authCounters().publishesRefused()).isEqualTo(1);
            assertThat(server.authCounters().connectsRefused()).isGreaterThanOrEqualTo(2);
            c.disconnect().waitForCompletion(5_000);
            c.close();
        }
    }

    /** The same client if still connected, else a new connection with the same credentials. */
    private static MqttAsyncClient reconnectIfDropped(final MqttAsyncClient c, final String url, final Credentials cr)
            throws Exception {
        Thread.sleep(200); // let a pending server DISCONNECT arrive
        if (c.isConnected()) {
            return c;
        }
        try {
            c.close(true);
        } catch (MqttException e) {
            // already closing
        }
        return connect(url, "winnow-intruder", cr.username(), cr.password());
    }

    private static MqttAsyncClient connect(final String url, final String id, final String user, final String pw)
            throws MqttException {
        final MqttAsyncClient c = new MqttAsyncClient(url, id, new MemoryPersistence());
        final MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        if (user != null) {
            o.setUserName(user);
            o.setPassword(pw.getBytes(StandardCharsets.UTF_8));
        }
        try {
            c.connect(o).waitForCompletion(10_000);
        } catch (MqttException e) {
            c.close(true);
            throw e;
        }
        return c;
    }

    /** (5) 10,000 fuzzed and mutated payloads: every one refused by a rule, nothing stored, server healthy. */
    @Test
    void tenThousandMutatedPayloadsAreAllRefused(@TempDir final Path dir) throws Exception {
        try (WinnowServer server = WinnowServer.start(config(dir.resolve("server")))) {
            final Credentials cred = server.devices().enrol(SITE, LINE, "fuzzer");
            final MqttClient c = new MqttClient(server.mqttUrl(), "winnow-fuzzer", new MemoryPersistence());
            final MqttConnectionOptions o = new MqttConnectionOptions();
            o.setUserName(cred.username());
            o.setPassword(cred.password().getBytes(StandardCharsets.UTF_8));
            c.connect(o);
            final String topic = Topic.of(SITE, LINE, "fuzzer", Kind.REJECT).toString();
            final Random rnd = new Random(42);
            final int n = 10_000;
            for (int i = 0; i < n; i++) {
                final MqttMessage m = new MqttMessage(mutate(rnd, i));
                m.setQos(1);
                for (int attempt = 0; ; attempt++) {
                    try {
                        c.publish(topic, m);
                        break;
                    } catch (MqttException e) {
                        if (e.getReasonCode() != 32202 || attempt > 100) { // REASON_CODE_MAX_INFLIGHT
                            throw e;
                        }
                        Thread.sleep(5);
                    }
                }
            }
            try {
                await("all refused", 60, () -> server.ingestCounters().rejectedTotal() >= n);
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + ": " + server.ingestCounters().snapshot()
                        + " auth " + server.authCounters().snapshot());
            }
            assertThat(server.ingestCounters().rejectedTotal()).isEqualTo(n);
            assertThat(server.ingestCounters().rejectedByRule()).hasSizeGreaterThanOrEqualTo(8);
            assertThat(server.store().countRejections()).isZero();
            // still healthy: a good event is stored at once
            c.publish(topic, new MqttMessage(WireCodec.encode(AgentProcess.event("after-fuzz")), 1, false, null));
            await("good one stored", 15, () -> server.store().countRejections() == 1);
            final java.net.http.HttpResponse<String> health = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.httpUrl() + "api/health")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            c.disconnect();
            c.close();
        }
    }

    /** A payload that no strict decoder may accept, varied over eleven kinds of damage. */
    static byte[] mutate(final Random rnd, final int i) throws Exception {
        final ObjectNode good = (ObjectNode) WireCodec.mapper().readTree(WireCodec.encode(AgentProcess.event("fz-" + i)));
        final byte[] goodBytes = WireCodec.mapper().writeValueAsBytes(good);
        final List<String> fields = new ArrayList<>();
        good.fieldNames().forEachRemaining(fields::add);
        switch (i % 11) {
            case 0:
                return new byte[0];
            case 1:
                return new byte[Schema.MAX_PAYLOAD_BYTES + 1 + rnd.nextInt(100)];
            case 2:
                return java.util.Arrays.copyOf(goodBytes, 1 + rnd.nextInt(goodBytes.length - 1));
            case 3: {
                final byte[] b = new byte[1 + rnd.nextInt(300)];
                rnd.nextBytes(b);
                b[0] = (byte) ('a' + rnd.nextInt(20)); // not a JSON value's first character
                return b;
            }
            case 4:
                good.remove(rnd.nextBoolean() ? "id" : "schema"); // required: MISSING_FIELD or MISSING_SCHEMA
                break;
            case 5:
                good.put("x_" + rnd.nextInt(1000), rnd.nextInt());
                break;
            case 6:
                good.put("schema", 2 + rnd.nextInt(1000));
                break;
            case 7:
                good.put("confidence", "high");
                break;
            case 8:
                good.put("confidence", 1.5 + rnd.nextDouble() * 100);
                break;
            case 9:
                return ("[" + new String(goodBytes, StandardCharsets.UTF_8) + "]").getBytes(StandardCharsets.UTF_8);
            default: {
                final byte[] b = goodBytes.clone();
                final String s = new String(b, StandardCharsets.UTF_8);
                final int at = s.indexOf("straw") + 1;
                b[at] = (byte) 0xC3; // a lone UTF-8 lead byte: not valid UTF-8
                b[at + 1] = (byte) 0x28;
                return b;
            }
        }
        return WireCodec.mapper().writeValueAsBytes(good);
    }
}
