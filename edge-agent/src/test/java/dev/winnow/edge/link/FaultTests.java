package dev.winnow.edge.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.winnow.protocol.Kind;
import dev.winnow.protocol.NoDelaySockets;
import dev.winnow.protocol.Schema;
import dev.winnow.protocol.Topic;
import dev.winnow.protocol.WireCodec;
import dev.winnow.server.WinnowServer;
import dev.winnow.server.auth.Credentials;
import dev.winnow.server.auth.Principal;
import dev.winnow.server.store.Rejection;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault scenarios with real processes on loopback: a real control server, a real broker and
 * store ({@link EmbeddedFaultTest}: the server's embedded HiveMQ and H2; {@link ExternalFaultTest}: Mosquitto
 * and PostgreSQL as child processes), and real agents' uplinks. After each scenario: every event the agent
 * fired is stored exactly once, the server reports itself healthy, and an intruder is still refused.
 *
 * <p>(1) broker outage while an agent fires {@value #OUTAGE_EVENTS} events, then (3) two server restarts
 * mid-stream; (2) the agent's JVM killed with {@code kill -9} mid-stream and restarted; (4) a device
 * publishing under, and listening to, another device's topics; (5) 10,000 fuzzed payloads.
 *
 * <p>Scaled for the suite: the broker outage lasts {@value #OUTAGE_S} s instead of the 60 s; the
 * {@value #OUTAGE_EVENTS} events are spread over the outage plus 14 s, so a longer outage fires them more
 * slowly. Nothing in the outbox depends on the length (it is bounded by bytes, far above 10,000 events);
 * {@code -Dwinnow.fault.outage-s=60} runs the full length.
 */
abstract class FaultTests {

    static final int OUTAGE_S = 12;
    static final int OUTAGE_EVENTS = 10_000;
    static final String SITE = "fault-mill";
    static final String LINE = "l1";
    private static final AtomicLong GUARDS = new AtomicLong();

    /** One set-up under test: a running control server with its broker and its store. */
    interface Rig extends AutoCloseable {

        /** The server now running (a new instance after every restart). */
        WinnowServer server();

        /** Where agents connect. */
        String deviceUrl();

        /** Credentials issued by the server for a device; the broker accepts them when this returns. */
        Credentials enrol(String device) throws Exception;

        /** The broker goes away; the agents' events must wait in their outboxes. */
        void stopBroker() throws Exception;

        void startBroker() throws Exception;

        /** Stops the server and starts it again on the same store and broker session. */
        void restartServer() throws Exception;

        /** What is checked while the broker is down, beyond the agent noticing. */
        void duringOutage() throws Exception;

        /** Fewest reconnects the agent must have made over the outage and the server restarts. */
        int minAgentReconnects();

        /** Checks a subscription to another device's topics; {@code refused} says whether the broker said no. */
        void foreignSubscription(boolean refused);

        /** Broker-specific checks after the impersonation scenario. */
        void afterImpersonation() throws Exception;

        /** For failure messages: the broker's log, say. */
        String diagnostics();
    }

    /** Starts the set-up: server, broker and store, all empty. */
    protected abstract Rig rig(Path dir) throws Exception;

    // ------------------------------------------------------------------ (1) and (3)

    /** (1) broker outage, (3) server restarts, while one agent keeps firing events. */
    @Test
    void brokerOutageAndServerRestartsLoseNothing(@TempDir final Path dir) throws Exception {
        final int outage = Integer.getInteger("winnow.fault.outage-s", OUTAGE_S);
        try (Rig rig = rig(dir.resolve("rig"))) {
            final Credentials cred = rig.enrol("pi-1");
            final Credentials intruder = rig.enrol("intruder");
            final int n = OUTAGE_EVENTS;
            final double perSecond = n / (outage + 14.0);
            final AtomicInteger fired = new AtomicInteger();
            final long t0 = System.nanoTime();
            try (Uplink link = new Uplink(new Uplink.Settings(rig.deviceUrl(), SITE, LINE, "pi-1", cred.username(),
                    cred.password(), dir.resolve("agent"), "test"), Clock.systemUTC())) {
                link.start(null, c -> { });
                final Thread firing = new Thread(() -> {
                    try {
                        for (int i = 0; i < n; i++) {
                            final long due = t0 + (long) (i / perSecond * 1e9);
                            while (System.nanoTime() < due) {
                                Thread.sleep(1);
                            }
                            link.send(AgentProcess.event("pi-1-" + i));
                            fired.incrementAndGet();
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "firing");
                firing.start();
                Thread.sleep(3_000);
                rig.stopBroker(); // (1)
                final int atStop = fired.get();
                Thread.sleep(outage * 1000L);
                assertThat(link.isConnected()).as("the agent sees the outage").isFalse();
                rig.duringOutage();
                assertThat(fired.get() - atStop).as("the agent keeps firing into its outbox")
                        .isGreaterThan((int) (perSecond * outage / 2));
                rig.startBroker();
                Thread.sleep(2_000);
                rig.restartServer(); // (3) two quick server restarts mid-stream
                Thread.sleep(1_500);
                rig.restartServer();
                firing.join();
                assertThat(fired.get()).isEqualTo(n);
                assertThat(link.drain(120, TimeUnit.SECONDS)).as("the outbox drains; " + rig.diagnostics()).isTrue();
                assertStoredExactly(rig, "pi-1", n);
                assertThat(link.reconnects()).as("reconnected after the outage")
                        .isGreaterThanOrEqualTo(rig.minAgentReconnects());
            }
            assertHealthy(rig);
            assertIntruderRefused(rig, intruder, "pi-1");
            System.out.printf("fault (1)+(3): %d events fired and stored once, outage %d s, %.1f s in all%n", n,
                    outage, (System.nanoTime() - t0) / 1e9);
        }
    }

    // ------------------------------------------------------------------ (2)

    /** (2) the agent's JVM is killed with kill -9 mid-stream and restarted on the same state folder. */
    @Test
    void agentKilledMidStreamLosesNothing(@TempDir final Path dir) throws Exception {
        try (Rig rig = rig(dir.resolve("rig"))) {
            final Credentials cred = rig.enrol("pi-2");
            final Credentials intruder = rig.enrol("intruder");
            final int n = 3_000;
            final Path state = dir.resolve("agent");
            int lastWritten = -1;
            int kills = 0;
            for (int round = 0; round < 3; round++) {
                final Process p = spawn(rig.deviceUrl(), state, "pi-2", lastWritten + 1, n, cred);
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
                            kills++;
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
            assertThat(kills).isEqualTo(2);
            assertStoredExactly(rig, "pi-2", n);
            assertHealthy(rig);
            assertIntruderRefused(rig, intruder, "pi-2");
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

    // ------------------------------------------------------------------ (4)

    /** (4) a device publishing under, or listening to, another device's topics is refused. */
    @Test
    void aDeviceCannotImpersonateAnother(@TempDir final Path dir) throws Exception {
        try (Rig rig = rig(dir.resolve("rig"))) {
            final WinnowServer server = rig.server();
            final Credentials victim = rig.enrol("victim");
            final Credentials intruder = rig.enrol("intruder");
            final String url = rig.deviceUrl();
            // no credentials, or a wrong password: no connection at all
            assertThatThrownBy(() -> connect(url, "anon", null, null, null)).isInstanceOf(MqttException.class);
            assertThatThrownBy(() -> connect(url, "guess", victim.username(), "guess"))
                    .isInstanceOf(MqttException.class);
            final Inbox seen = new Inbox();
            MqttAsyncClient c = connect(url, "winnow-intruder", intruder.username(), intruder.password(), seen);
            final String victimTopic = Topic.of(SITE, LINE, "victim", Kind.REJECT).toString();
            assertPublishRefused(c, victimTopic, "forged-1");
            c = reconnectIfDropped(c, url, intruder, seen);
            final boolean refused = subscribeRefused(c, Topic.devicePrefix(SITE, LINE, "victim") + "cmd/+",
                    victimTopic);
            rig.foreignSubscription(refused);
            c = reconnectIfDropped(c, url, intruder, seen);
            final IMqttToken ownSub = c.subscribe(Topic.devicePrefix(SITE, LINE, "intruder") + "cmd/+", 1);
            ownSub.waitForCompletion(10_000);
            assertThat(ownSub.getReasonCodes()[0]).as("its own commands may be read").isLessThan(0x80);
            // the victim's real traffic, both ways: an event it sends, a command the server sends it
            final MqttAsyncClient v = connect(url, "winnow-victim", victim.username(), victim.password());
            v.publish(victimTopic, new MqttMessage(WireCodec.encode(AgentProcess.event("victim-1")), 1, false, null))
                    .waitForCompletion(10_000);
            final ObjectNode args = WireCodec.mapper().createObjectNode();
            server.controlRoom().commands().send(SITE, LINE, "victim", "snapshot", args, "fault-test",
                    Duration.ofSeconds(5));
            server.controlRoom().commands().send(SITE, LINE, "intruder", "snapshot", args, "fault-test",
                    Duration.ofSeconds(5));
            // its own topic works, so the refusals were about the topic
            c.publish(Topic.of(SITE, LINE, "intruder", Kind.REJECT).toString(),
                    new MqttMessage(WireCodec.encode(AgentProcess.event("own-1")), 1, false, null))
                    .waitForCompletion(10_000);
            final String ownCmd = Topic.devicePrefix(SITE, LINE, "intruder") + "cmd/snapshot";
            await("the intruder's own command arrives", 15, () -> seen.topics().contains(ownCmd), rig::diagnostics);
            await("own-1 and victim-1 stored", 15, () -> rig.server().store().countRejections() >= 2,
                    rig::diagnostics);
            Thread.sleep(500); // anything forged or foreign would have arrived by now
            assertThat(ids(rig)).containsExactlyInAnyOrder("own-1", "victim-1");
            assertThat(seen.topics()).as("nothing of the victim's reaches the intruder").containsOnly(ownCmd);
            rig.afterImpersonation();
            v.disconnect().waitForCompletion(5_000);
            v.close();
            c.disconnect().waitForCompletion(5_000);
            c.close();
            assertHealthy(rig);
        }
    }

    /** An unauthorised QoS 1 publish: PUBACK NOT_AUTHORIZED (0x87), or a disconnect with that reason. */
    private static void assertPublishRefused(final MqttAsyncClient c, final String topic, final String id)
            throws Exception {
        final IMqttToken t = c.publish(topic, new MqttMessage(WireCodec.encode(AgentProcess.event(id)), 1, false,
                null));
        // HiveMQ answers with PUBACK 0x87 and then disconnects with the same reason; Mosquitto only answers.
        // Which of the two the client reports first is a race.
        try {
            t.waitForCompletion(10_000);
            assertThat(t.getReasonCodes()).as("PUBACK says not authorised").containsExactly(0x87);
        } catch (MqttException e) {
            assertThat(e.getMessage()).as("disconnected as not authorised").contains("RC: 135");
        }
    }

    /** Subscribes; true when the broker refused (a SUBACK failure code, or a NOT_AUTHORIZED disconnect). */
    private static boolean subscribeRefused(final MqttAsyncClient c, final String... filters) throws Exception {
        final int[] qos = new int[filters.length];
        java.util.Arrays.fill(qos, 1);
        final IMqttToken sub = c.subscribe(filters, qos);
        try {
            sub.waitForCompletion(10_000);
            for (final int rc : sub.getReasonCodes()) {
                if (rc < 0x80) {
                    return false;
                }
            }
            return true;
        } catch (MqttException e) {
            assertThat(e.getMessage()).as("disconnected as not authorised").contains("RC: 135");
            return true;
        }
    }

    /** The same client if still connected, else a new connection with the same credentials. */
    private static MqttAsyncClient reconnectIfDropped(final MqttAsyncClient c, final String url,
                                                      final Credentials cr, final Inbox inbox) throws Exception {
        Thread.sleep(200); // let a pending server DISCONNECT arrive
        if (c.isConnected()) {
            return c;
        }
        try {
            c.close(true);
        } catch (MqttException e) {
            // already closing
        }
        return connect(url, "winnow-intruder", cr.username(), cr.password(), inbox);
    }

    private static MqttAsyncClient connect(final String url, final String id, final String user, final String pw)
            throws MqttException {
        return connect(url, id, user, pw, null);
    }

    private static MqttAsyncClient connect(final String url, final String id, final String user, final String pw,
                                           final MqttCallback callback) throws MqttException {
        final MqttAsyncClient c = new MqttAsyncClient(url, id, new MemoryPersistence());
        if (callback != null) {
            c.setCallback(callback);
        }
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

    /** The topics of every message a client received. */
    private static final class Inbox implements MqttCallback {
        private final List<String> topics = new CopyOnWriteArrayList<>();

        List<String> topics() {
            return topics;
        }

        @Override
        public void messageArrived(final String topic, final MqttMessage message) {
            topics.add(topic);
        }

        @Override
        public void disconnected(final MqttDisconnectResponse response) {
        }

        @Override
        public void mqttErrorOccurred(final MqttException exception) {
        }

        @Override
        public void deliveryComplete(final IMqttToken token) {
        }

        @Override
        public void connectComplete(final boolean reconnect, final String serverURI) {
        }

        @Override
        public void authPacketArrived(final int reasonCode, final MqttProperties properties) {
        }
    }

    // ------------------------------------------------------------------ (5)

    /** (5) 10,000 fuzzed and mutated payloads: every one refused by a rule, nothing stored, server healthy. */
    @Test
    void tenThousandMutatedPayloadsAreAllRefused(@TempDir final Path dir) throws Exception {
        try (Rig rig = rig(dir.resolve("rig"))) {
            final WinnowServer server = rig.server();
            final Credentials cred = rig.enrol("fuzzer");
            final Credentials intruder = rig.enrol("intruder");
            final MqttClient c = new MqttClient(rig.deviceUrl(), "winnow-fuzzer", new MemoryPersistence());
            final MqttConnectionOptions o = new MqttConnectionOptions();
            o.setUserName(cred.username());
            o.setPassword(cred.password().getBytes(StandardCharsets.UTF_8));
            // each publish waits for its PUBACK; with Nagle on, many would also wait for a delayed TCP ack
            o.setSocketFactory(NoDelaySockets.plain());
            c.connect(o);
            final String topic = Topic.of(SITE, LINE, "fuzzer", Kind.REJECT).toString();
            final long t0 = System.nanoTime();
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
            final double published = (System.nanoTime() - t0) / 1e9;
            await("all refused", 60, () -> server.ingestCounters().rejectedTotal() >= n,
                    () -> server.ingestCounters().snapshot() + "; " + rig.diagnostics());
            System.out.printf("fault (5): %d fuzzed payloads published in %.1f s, all refused after %.1f s%n", n,
                    published, (System.nanoTime() - t0) / 1e9);
            assertThat(server.ingestCounters().rejectedTotal()).isEqualTo(n);
            assertThat(server.ingestCounters().rejectedByRule()).hasSizeGreaterThanOrEqualTo(8);
            assertThat(server.store().countRejections()).isZero();
            // still healthy: a good event is stored at once
            c.publish(topic, new MqttMessage(WireCodec.encode(AgentProcess.event("after-fuzz")), 1, false, null));
            await("good one stored", 15, () -> server.store().countRejections() == 1, rig::diagnostics);
            assertThat(ids(rig)).containsExactly("after-fuzz");
            c.disconnect();
            c.close();
            assertHealthy(rig);
            assertIntruderRefused(rig, intruder, "fuzzer");
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

    // ------------------------------------------------------------------ after every scenario

    static void await(final String what, final long seconds, final BooleanSupplier ok, final Supplier<String> state)
            throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!ok.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + seconds + " s waiting for " + what + "; " + state.get());
            }
            Thread.sleep(50);
        }
    }

    /** Every stored rejection's id on the test line. */
    private static List<String> ids(final Rig rig) {
        return newestIds(rig, 1_000_000);
    }

    private static List<String> newestIds(final Rig rig, final int limit) {
        return rig.server().store().latestRejections(SITE, LINE, limit).stream().map(Rejection::id).toList();
    }

    /** Exactly the ids {@code device-0 .. device-(n-1)}, each once. */
    private static void assertStoredExactly(final Rig rig, final String device, final int n) throws Exception {
        await(n + " stored", 60, () -> rig.server().store().countRejections() >= n,
                () -> rig.server().store().countRejections() + " stored; ingest "
                        + rig.server().ingestCounters().snapshot() + "; " + rig.diagnostics());
        Thread.sleep(500); // nothing more may arrive
        final List<String> stored = rig.server().store().latestRejections(SITE, LINE, n + 100).stream()
                .filter(r -> r.device().equals(device)).map(Rejection::id).toList();
        assertThat(stored).doesNotHaveDuplicates();
        assertThat(stored).hasSize(n);
        final Set<String> expected = new java.util.HashSet<>();
        for (int i = 0; i < n; i++) {
            expected.add(device + "-" + i);
        }
        assertThat(Set.copyOf(stored)).isEqualTo(expected);
        assertThat(rig.server().store().countRejections()).as("nothing from anyone else").isEqualTo(n);
    }

    /** GET /api/health answers 200 with status "up" (broker, database and ingest all well), within 60 s. */
    static void assertHealthy(final Rig rig) throws Exception {
        final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        final HttpRequest req = HttpRequest.newBuilder(URI.create(rig.server().httpUrl() + "api/health"))
                .timeout(Duration.ofSeconds(10)).build();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        while (r.statusCode() != 200 && System.nanoTime() < deadline) {
            Thread.sleep(250); // the ingest may still be in its reconnect backoff
            r = http.send(req, HttpResponse.BodyHandlers.ofString());
        }
        assertThat(r.statusCode()).as("health: " + r.body()).isEqualTo(200);
        final JsonNode h = WireCodec.mapper().readTree(r.body());
        assertThat(h.path("status").asText()).isEqualTo("up");
        assertThat(h.at("/ingest/connected").asBoolean()).isTrue();
        assertThat(h.at("/db/up").asBoolean()).isTrue();
    }

    /**
     * The intruder is still kept out after the scenario (a restarted broker or server could have come back
     * open): a wrong password gets no connection, and an event forged under {@code victim}'s topic is not
     * stored while one on its own topic, sent after it on the same connection, is.
     */
    static void assertIntruderRefused(final Rig rig, final Credentials intruder, final String victim)
            throws Exception {
        final String url = rig.deviceUrl();
        assertThatThrownBy(() -> connect(url, "guess", Principal.deviceUsername(SITE, LINE, victim), "guess"))
                .isInstanceOf(MqttException.class);
        final long g = GUARDS.incrementAndGet();
        final MqttAsyncClient c = connect(url, "winnow-intruder", intruder.username(), intruder.password(), null);
        assertPublishRefused(c, Topic.of(SITE, LINE, victim, Kind.REJECT).toString(), "forged-" + g);
        final MqttAsyncClient own = reconnectIfDropped(c, url, intruder, null);
        final String sentinel = "guard-" + g;
        own.publish(Topic.of(SITE, LINE, "intruder", Kind.REJECT).toString(),
                new MqttMessage(WireCodec.encode(AgentProcess.event(sentinel)), 1, false, null))
                .waitForCompletion(10_000);
        // the newest by event time, so a short query finds it however many events the scenario stored
        await("the intruder's own event stored", 30, () -> newestIds(rig, 50).contains(sentinel), rig::diagnostics);
        Thread.sleep(300);
        assertThat(ids(rig)).as("the forged event").doesNotContain("forged-" + g);
        own.disconnect().waitForCompletion(5_000);
        own.close();
    }
}
