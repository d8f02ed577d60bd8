package dev.winnow.server.ingest;

import dev.winnow.protocol.Alarm;
import dev.winnow.protocol.DecodeError;
import dev.winnow.protocol.Decoded;
import dev.winnow.protocol.Kind;
import dev.winnow.protocol.RejectBatch;
import dev.winnow.protocol.RejectEvent;
import dev.winnow.protocol.Stats;
import dev.winnow.protocol.Topic;
import dev.winnow.protocol.WireCodec;
import dev.winnow.protocol.WireMessage;
import dev.winnow.server.fleet.DeviceClocks;
import dev.winnow.server.store.BatchResult;
import dev.winnow.server.store.EventStore;
import dev.winnow.server.store.Inbound;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Subscribes to everything devices send and stores it. Messages are acknowledged by hand, only after
 * the transaction that stores them has committed, in the order they arrived: a crash or a database
 * outage loses nothing, the broker simply delivers again and the store skips ids it has.
 * Malformed messages are counted per rule, logged (rate-limited) and acknowledged, so they do not
 * come back forever.
 *
 * <p>One writer thread collects messages for up to {@code batchWindowMs} or about {@code batchSize}
 * events and stores them in one transaction. A batched rejections message ({@code events/rejects}) is
 * decoded into its events, all stored in the same transaction, and acknowledged once, after the commit;
 * a refused batch (any bad element) is counted and logged like any malformed message, and stores nothing.
 * A message the database refuses for good is kept in {@code ingest_dead_letters} (see {@link #storeOneByOne}).
 */
public final class Ingest implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Ingest.class);
    /** Every kind a device sends. */
    public static final List<Kind> SUBSCRIBED = List.of(Kind.STATUS, Kind.STATS, Kind.REJECT, Kind.REJECT_BATCH,
            Kind.ALARM, Kind.COMMAND_RESULT);
    private static final long SESSION_EXPIRY_S = 7L * 24 * 3600;
    private static final long DRAIN_TIMEOUT_MS = 10_000;
    private static final long QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    /**
     * Two subscriber clients feed the one writer: rejections (the bulk, and what certificates count) on their
     * own connection, so a flood of them never queues statuses, stats and alarms behind it. Plain
     * subscriptions only: an MQTT 5 shared subscription gave no throughput with HiveMQ CE (its ~50-message
     * poll window is per group) and, on a slow machine, held the first messages back for about a minute.
     */
    static final List<List<Kind>> MEMBER_KINDS = List.of(
            List.of(Kind.STATUS, Kind.STATS, Kind.ALARM, Kind.COMMAND_RESULT),
            List.of(Kind.REJECT, Kind.REJECT_BATCH));
    /** The shared-subscription group of an earlier version; its filters are removed from kept sessions. */
    private static final String LEGACY_SHARE_GROUP = "winnow-ingest";
    /** An earlier version had this many shared-subscription members; their kept sessions are ended. */
    private static final int LEGACY_MEMBERS = 4;

    /**
     * One MQTT message, decoded on its client's callback thread (so decoding runs beside the writer):
     * {@code decoded} holds its messages to store, one per event for a batch, none when it was refused.
     */
    private record Received(MqttAsyncClient client, int id, int qos, List<Inbound> decoded) {
    }

    private final String url;
    private final EventStore store;
    private final int batchSize;
    private final long batchWindowNanos;
    private final Consumer<BatchResult> onStored;
    private final IngestCounters counters = new IngestCounters();
    private final RateLimitedLog badInput = new RateLimitedLog(LOG, 60_000);
    private final RateLimitedLog storeErrors = new RateLimitedLog(LOG, 10_000);
    private final BlockingQueue<Received> queue = new LinkedBlockingQueue<>();
    private final List<MqttAsyncClient> clients = new ArrayList<>();
    private final Thread writer;
    private final String clientId;
    private volatile boolean stopping;
    private volatile boolean stopped;
    private String username;
    private byte[] password;
    private javax.net.SocketFactory socketFactory;
    /** Reads each device's clock from its stats; null reads none (tests of the store path alone). */
    private DeviceClocks clocks;

    private Ingest(final String url, final String clientId, final EventStore store, final int batchSize,
                   final int batchWindowMs, final Consumer<BatchResult> onStored) throws MqttException {
        this.url = url;
        this.store = store;
        this.batchSize = batchSize;
        this.batchWindowNanos = TimeUnit.MILLISECONDS.toNanos(batchWindowMs);
        this.onStored = onStored;
        this.clientId = clientId;
        for (int i = 0; i < MEMBER_KINDS.size(); i++) {
            clients.add(new MqttAsyncClient(url, memberId(clientId, i), new MemoryPersistence()));
        }
        this.writer = new Thread(this::writeLoop, "winnow-ingest-writer");
        this.writer.setDaemon(true);
    }

    /**
     * Connects, subscribes and starts storing. Returns once subscribed.
     *
     * @param onStored called on the writer thread after each committed batch; must be quick
     */
    public static Ingest start(final String brokerUrl, final String clientId, final EventStore store,
                               final int batchSize, final int batchWindowMs, final Consumer<BatchResult> onStored) {
        final Ingest ingest;
        try {
            ingest = new Ingest(brokerUrl, clientId, store, batchSize, batchWindowMs, onStored);
        } catch (MqttException e) {
            throw new IllegalStateException("cannot create the MQTT client for " + brokerUrl + ": " + e, e);
        }
        ingest.connect();
        return ingest;
    }

    /**
     * As {@link #start(String, String, EventStore, int, int, Consumer)}, with credentials for a broker that
     * demands them and a socket factory for {@code ssl://} (both nullable).
     */
    public static Ingest start(final String brokerUrl, final String clientId, final EventStore store,
                               final int batchSize, final int batchWindowMs, final Consumer<BatchResult> onStored,
                               final String username, final String password,
                               final javax.net.SocketFactory socketFactory) {
        return start(brokerUrl, clientId, store, batchSize, batchWindowMs, onStored, username, password,
                socketFactory, null);
    }

    /**
     * As above, reading each device's clock from the stats it sends ({@link DeviceClocks}, nullable): the server's
     * alarm about a clock that is off is stored beside the stats that showed it.
     */
    public static Ingest start(final String brokerUrl, final String clientId, final EventStore store,
                               final int batchSize, final int batchWindowMs, final Consumer<BatchResult> onStored,
                               final String username, final String password,
                               final javax.net.SocketFactory socketFactory, final DeviceClocks clocks) {
        final Ingest ingest;
        try {
            ingest = new Ingest(brokerUrl, clientId, store, batchSize, batchWindowMs, onStored);
        } catch (MqttException e) {
            throw new IllegalStateException("cannot create the MQTT client for " + brokerUrl + ": " + e, e);
        }
        ingest.clocks = clocks;
        ingest.username = username;
        ingest.password = password == null ? null : password.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ingest.socketFactory = socketFactory instanceof javax.net.ssl.SSLSocketFactory ssl
                ? dev.winnow.protocol.NoDelaySockets.tls(ssl) : socketFactory;
        ingest.connect();
        return ingest;
    }

    private void connect() {
        writer.start();
        try {
            for (int i = 0; i < clients.size(); i++) {
                final MqttAsyncClient client = clients.get(i);
                client.setManualAcks(true);
                client.setCallback(new Callback(client, i));
                client.connect(options()).waitForCompletion(15_000);
                dropLegacySubscriptions(client, i);
                subscribe(client, i).waitForCompletion(15_000);
            }
            endLegacySessions();
        } catch (MqttException e) {
            close();
            throw new IllegalStateException("cannot connect the ingest to the MQTT broker " + url + ": " + e, e);
        }
        LOG.info("ingest subscribed at {} with {} clients", url, clients.size());
    }

    private MqttConnectionOptions options() {
        final MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(false);
        o.setSessionExpiryInterval(SESSION_EXPIRY_S);
        o.setAutomaticReconnect(true);
        o.setAutomaticReconnectDelay(1, 30);
        o.setKeepAliveInterval(30);
        o.setConnectionTimeout(10);
        // the broker may send this many unacknowledged QoS 1 messages; acks wait for a commit, so a
        // small window (Paho sends none: brokers then pick their own) would cap throughput at window/commit
        o.setReceiveMaximum(65535);
        if (username != null) {
            o.setUserName(username);
            o.setPassword(password);
        }
        o.setSocketFactory(socketFactory != null ? socketFactory : dev.winnow.protocol.NoDelaySockets.plain());
        return o;
    }

    /** The MQTT client id of subscriber {@code member} (0 .. {@code MEMBER_KINDS.size() - 1}). */
    static String memberId(final String clientId, final int member) {
        return member == 0 ? clientId : clientId + "-" + member;
    }

    private static String[] filters(final int member) {
        return MEMBER_KINDS.get(member).stream().map(Topic::filterAll).toArray(String[]::new);
    }

    private static IMqttToken subscribe(final MqttAsyncClient client, final int member) throws MqttException {
        final String[] filters = filters(member);
        final int[] qos = new int[filters.length];
        java.util.Arrays.fill(qos, 1);
        return client.subscribe(filters, qos);
    }

    /**
     * A kept session may hold filters of an earlier version (a plain filter now served by the other client,
     * or the shared-subscription group); left there, each message would come twice, or pile up in a group
     * nobody reads. Removing a filter a session does not hold is harmless.
     */
    private static void dropLegacySubscriptions(final MqttAsyncClient client, final int member) {
        final List<String> stale = new ArrayList<>();
        final List<Kind> own = MEMBER_KINDS.get(member);
        for (Kind k : SUBSCRIBED) {
            if (!own.contains(k)) {
                stale.add(Topic.filterAll(k));
            }
            stale.add("$share/" + LEGACY_SHARE_GROUP + "/" + Topic.filterAll(k));
        }
        try {
            client.unsubscribe(stale.toArray(String[]::new)).waitForCompletion(15_000);
        } catch (MqttException e) {
            LOG.debug("dropping legacy subscriptions: {}", e.toString());
        }
    }

    /** Ends the kept sessions of an earlier version's extra shared-subscription members. */
    private void endLegacySessions() {
        for (int i = MEMBER_KINDS.size(); i < LEGACY_MEMBERS; i++) {
            try {
                final MqttAsyncClient old = new MqttAsyncClient(url, memberId(clientId, i), new MemoryPersistence());
                final MqttConnectionOptions o = options();
                o.setCleanStart(true);
                o.setSessionExpiryInterval(0L);
                o.setAutomaticReconnect(false);
                old.connect(o).waitForCompletion(15_000);
                old.disconnect(2_000).waitForCompletion(3_000);
                old.close();
            } catch (MqttException e) {
                LOG.debug("ending the legacy session {}: {}", memberId(clientId, i), e.toString());
            }
        }
    }

    public IngestCounters counters() {
        return counters;
    }

    /** True while every subscriber client is connected. */
    public boolean isConnected() {
        for (MqttAsyncClient c : clients) {
            if (!c.isConnected()) {
                return false;
            }
        }
        return true;
    }

    /** Messages received and not yet stored. */
    public int backlog() {
        return queue.size();
    }

    // ---------------------------------------------------------------- MQTT callback thread

    private final class Callback implements MqttCallback {
        private final MqttAsyncClient client;
        private final int member;

        Callback(final MqttAsyncClient client, final int member) {
            this.client = client;
            this.member = member;
        }

        @Override
        public void messageArrived(final String topic, final MqttMessage message) {
            final Instant arrivedAt = Instant.now();
            counters.countReceived();
            queue.add(new Received(client, message.getId(), message.getQos(),
                    decode(topic, message.getPayload(), arrivedAt)));
        }

        @Override
        public void connectComplete(final boolean reconnect, final String serverURI) {
            if (reconnect) {
                LOG.info("ingest reconnected to {}", serverURI);
                try {
                    subscribe(client, member); // the session normally kept them; this covers a broker that lost it
                } catch (MqttException e) {
                    LOG.warn("ingest could not resubscribe: {}", e.toString());
                }
            }
        }

        @Override
        public void disconnected(final MqttDisconnectResponse response) {
            if (!stopping) {
                LOG.warn("ingest lost the MQTT broker {}: {}; reconnecting", url, response);
            }
        }

        @Override
        public void mqttErrorOccurred(final MqttException exception) {
            LOG.warn("ingest MQTT error: {}", exception.toString());
        }

        @Override
        public void deliveryComplete(final IMqttToken token) {
        }

        @Override
        public void authPacketArrived(final int reasonCode, final MqttProperties properties) {
        }
    }

    // ---------------------------------------------------------------- writer thread

    private void writeLoop() {
        final List<Received> batch = new ArrayList<>();
        try {
            while (true) {
                final Received first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (stopping) {
                        return;
                    }
                    continue;
                }
                batch.add(first);
                int events = first.decoded().size();
                // group commit: take everything already waiting; then wait for more only while it keeps
                // coming (1 ms of quiet ends the batch), never past the window or batchSize events (a batch
                // message is never split: its events are stored, and it is acknowledged, together)
                final long deadline = System.nanoTime() + batchWindowNanos;
                while (events < batchSize) {
                    Received next = queue.poll();
                    if (next == null) {
                        final long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            break;
                        }
                        next = queue.poll(Math.min(left, QUIET_NANOS), TimeUnit.NANOSECONDS);
                        if (next == null) {
                            break;
                        }
                    }
                    batch.add(next);
                    events += next.decoded().size();
                }
                if (!process(batch, events)) {
                    return; // stopping while the store is down: leave them unacknowledged for redelivery
                }
                batch.clear();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            stopped = true;
        }
    }

    /** Decodes, stores, then acknowledges the whole batch. False when it gave up storing it. */
    private boolean process(final List<Received> batch, final int events) throws InterruptedException {
        final List<Inbound> good = new ArrayList<>(events);
        for (Received r : batch) {
            good.addAll(r.decoded());
        }
        if (!good.isEmpty()) {
            long backoff = 200;
            while (true) {
                try {
                    final long t0 = System.nanoTime();
                    final BatchResult result = store.store(good, Instant.now());
                    counters.countStored(result.stored(), result.duplicates());
                    counters.countBatch(good.size(), System.nanoTime() - t0);
                    try {
                        onStored.accept(result);
                    } catch (RuntimeException e) {
                        LOG.warn("a stored-batch listener failed", e);
                    }
                    break;
                } catch (Exception e) {
                    counters.countStoreFailure();
                    Exception failure = e;
                    if (EventStore.isRefusal(e)) {
                        try {
                            storeOneByOne(good);
                            break;
                        } catch (Exception again) {
                            failure = again;
                        }
                    }
                    storeErrors.warn("store", "cannot store " + good.size() + " messages, will retry: " + failure);
                    if (stopping) {
                        return false;
                    }
                    Thread.sleep(backoff);
                    backoff = Math.min(5_000, backoff * 2);
                }
            }
        }
        for (Received r : batch) {
            if (r.qos() > 0) {
                try {
                    r.client().messageArrivedComplete(r.id(), r.qos());
                } catch (MqttException e) {
                    // the broker delivers it again after reconnecting; the store skips the duplicate
                    storeErrors.warn("ack", "cannot acknowledge message " + r.id() + ": " + e);
                }
            }
        }
        return true;
    }

    /**
     * The database refused a batch for something in it: stores its messages one at a time and keeps each one it
     * refuses in the dead-letter table, so one bad message neither holds up every later one nor is lost.
     *
     * @throws Exception when the database fails for any other reason (the caller retries the batch; messages stored
     *                   meanwhile are skipped as duplicates)
     */
    private void storeOneByOne(final List<Inbound> messages) throws Exception {
        for (Inbound m : messages) {
            try {
                final BatchResult result = store.store(List.of(m), Instant.now());
                counters.countStored(result.stored(), result.duplicates());
                try {
                    onStored.accept(result);
                } catch (RuntimeException e) {
                    LOG.warn("a stored-batch listener failed", e);
                }
            } catch (Exception e) {
                if (!EventStore.isRefusal(e)) {
                    throw e;
                }
                store.deadLetter(m, Instant.now(), reason(e));
                counters.countDeadLettered();
                LOG.error("the database refused a message on {}; kept in ingest_dead_letters: {}", m.topic(), e.toString());
            }
        }
    }

    /** What the database said, in one line a person can read: its first line, with the SQLSTATE. */
    static String reason(final Exception e) {
        final String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        String line = message.lines().findFirst().orElse("").strip();
        line = line.replaceFirst(";? ?SQL statement:$", "").strip();
        return e instanceof java.sql.SQLException se && se.getSQLState() != null
                ? line + " (SQLSTATE " + se.getSQLState() + ")" : line;
    }

    /** The messages to store from one MQTT message: one per event of a batch; none when refused. */
    private List<Inbound> decode(final String topicName, final byte[] payload, final Instant arrivedAt) {
        final Decoded<Topic> topic = Topic.parse(topicName);
        if (!(topic instanceof Decoded.Ok<Topic> okTopic)) {
            refuse(topic.errorOrNull(), topicName);
            return List.of();
        }
        final Topic t = okTopic.value();
        if (t.kind() == Kind.COMMAND) {
            refuse(new DecodeError(DecodeError.Rule.BAD_TOPIC, "kind", "commands go to devices, not the server"),
                    topicName);
            return List.of();
        }
        final Decoded<? extends WireMessage> message = WireCodec.decode(t.kind(), payload);
        if (message instanceof Decoded.Ok<? extends WireMessage> ok) {
            if (ok.value() instanceof RejectBatch b) {
                final List<Inbound> out = new ArrayList<>(b.events().size());
                for (RejectEvent e : b.events()) {
                    out.add(new Inbound(t, e));
                }
                return out;
            }
            if (clocks != null && ok.value() instanceof Stats stats) {
                final Alarm clockAlarm = clocks.observe(t, stats, arrivedAt);
                if (clockAlarm != null) {
                    LOG.info("{} {}: {}", clockAlarm.state() == Alarm.State.RAISED ? "raised" : "cleared",
                            DeviceClocks.CAUSE, t.site() + "/" + t.line() + "/" + t.device());
                    return List.of(new Inbound(t, stats),
                            new Inbound(Topic.of(t.site(), t.line(), t.device(), Kind.ALARM), clockAlarm));
                }
            }
            return List.of(new Inbound(t, ok.value()));
        }
        refuse(message.errorOrNull(), topicName);
        return List.of();
    }

    private void refuse(final DecodeError error, final String topic) {
        counters.countRejected(error.rule());
        // one log line per rule and field; a batch's element index does not make a new cause
        final String field = error.field() == null ? null : error.field().replaceAll("\\[\\d+]", "[]");
        badInput.warn(error.rule() == DecodeError.Rule.UNKNOWN_FIELD ? error.rule().name()
                : error.rule() + "/" + field, "dropped a message on '" + abbreviate(topic) + "': "
                + error);
    }

    private static String abbreviate(final String s) {
        return s.length() <= 120 ? s : s.substring(0, 117) + "...";
    }

    // ---------------------------------------------------------------- shutdown

    /** Stores and acknowledges what has arrived (up to 10 s), then disconnects. */
    @Override
    public void close() {
        stopping = true;
        try {
            writer.join(DRAIN_TIMEOUT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!stopped && writer.isAlive()) {
            LOG.warn("ingest did not drain in {} ms; {} messages stay with the broker", DRAIN_TIMEOUT_MS,
                    queue.size());
            writer.interrupt();
        }
        for (MqttAsyncClient client : clients) {
            try {
                if (client.isConnected()) {
                    client.disconnect(2_000).waitForCompletion(3_000);
                }
            } catch (MqttException e) {
                LOG.debug("disconnecting the ingest", e);
            }
            try {
                client.close(true);
            } catch (MqttException e) {
                LOG.debug("closing the ingest client", e);
            }
        }
    }
}
