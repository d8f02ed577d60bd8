package dev.winnow.edge.link;

import dev.winnow.protocol.Alarm;
import dev.winnow.protocol.Command;
import dev.winnow.protocol.CommandResult;
import dev.winnow.protocol.Decoded;
import dev.winnow.protocol.Kind;
import dev.winnow.protocol.NoDelaySockets;
import dev.winnow.protocol.RejectPacker;
import dev.winnow.protocol.Schema;
import dev.winnow.protocol.Status;
import dev.winnow.protocol.Topic;
import dev.winnow.protocol.WireCodec;
import dev.winnow.protocol.WireMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.MqttReturnCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device's MQTT link: birth and last will, events and stats out, commands in.
 *
 * <p>Rejection events, alarms and command results go through the durable {@link Outbox}: {@link #send}
 * returns once the message is fsync'd in {@code {stateDir}/outbox}, and it is deleted only after the
 * broker's PUBACK. One sender thread connects (stable client id, {@code cleanStart=false}, a week of
 * session expiry, retained last will {@code offline}), reconnects with exponential backoff and
 * jitter (0.25 s to 30 s), publishes the retained birth and subscribes to its own {@code cmd/+} on every
 * connect, then streams the outbox in order with up to {@code window} MQTT messages in flight. After a
 * reconnect, everything not acknowledged is sent again; the server stores each id once.
 *
 * <p>Rejections are packed: when several are waiting, the sender sends them as one {@code events/rejects}
 * message (up to {@link #maxBatchEvents()} events and the protocol's 64 KiB, see {@link RejectPacker}) and
 * acknowledges every one of them in the outbox when that message's PUBACK comes. It never waits for a batch
 * to fill: a lone event goes at once, as the single {@code events/reject} message it always was; batches
 * form by themselves when events arrive faster than the broker acknowledges. Each event stays its own
 * outbox record, so a crash between PUBACK and the outbox's acknowledgement resends the batch, which the
 * server's dedup by event id absorbs. Alarms and command results are sent one per message as before.
 * A server that does not know {@code events/rejects} yet must be upgraded first, or batching switched off
 * with {@link #setMaxBatchEvents(int) setMaxBatchEvents(1)} ({@code WINNOW_UPLINK_BATCH_EVENTS=1}).
 *
 * <p>Stats and status are not durable: they wait in a small in-memory queue (oldest dropped when full)
 * and are sent while connected.
 *
 * <p>Credentials: {@link Settings#username()}/{@link Settings#password()}, else the environment
 * ({@code WINNOW_MQTT_USERNAME}, {@code WINNOW_MQTT_PASSWORD}), else {@code {stateDir}/credentials.json}
 * as printed by {@code winnow-server enrol}. See {@link LinkCredentials}. TLS: an {@code ssl://} URL, with
 * the CA in {@code WINNOW_MQTT_CA} or {@code {stateDir}/ca.pem} (else the JVM's trust store).
 */
public final class Uplink implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Uplink.class);
    /** Fill ratio at which the {@code outbox_near_full} alarm is raised, and cleared again. */
    public static final double NEAR_FULL = 0.8;
    public static final double NEAR_FULL_CLEAR = 0.6;
    private static final int DEFAULT_WINDOW = 32;

    /** Where the device is and how to reach the broker. {@code username}, {@code password} are nullable. */
    public record Settings(String brokerUrl, String site, String line, String device, String username,
                           String password, Path stateDir, String agentVersion) {
    }

    private final Settings settings;
    private final Clock clock;
    private final Outbox outbox;
    private final String clientId;
    private final String rejectTopic;
    private final String batchTopic;
    /** Replaced by a fresh instance before every reconnect: see {@link #freshClient()}. */
    private volatile MqttAsyncClient client;
    private boolean clientUsed;
    private final LinkCredentials credentials;
    private final BlockingQueue<Outgoing> volatileQueue = new ArrayBlockingQueue<>(1_000);
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong volatileDropped = new AtomicLong();
    private final AtomicLong refusedByBroker = new AtomicLong();
    private final AtomicLong reconnects = new AtomicLong();
    private final AtomicInteger volatileInflight = new AtomicInteger();
    private final AtomicBoolean rewindNeeded = new AtomicBoolean();
    private final Object signal = new Object();
    private final Thread sender;
    private volatile boolean running = true;
    private volatile boolean started;
    private volatile Consumer<Command> commandHandler = c -> { };
    private volatile Status birth;
    /** This start's count ({@link StartCount}), stamped on every status the link sends. */
    private final long boot;
    private volatile int window = DEFAULT_WINDOW;
    private volatile long pauseUntil = System.nanoTime();
    /** MQTT messages in flight on the current connection (a batch counts once); replaced on every connect. */
    private volatile AtomicInteger inflightMessages = new AtomicInteger();
    private volatile int maxBatchEvents = defaultBatchEvents();
    private final AtomicLong batchesSent = new AtomicLong();
    private boolean nearFullRaised;
    private boolean fullRaised;

    private record Outgoing(String topic, byte[] payload, int qos, boolean retained) {
    }

    public Uplink(final Settings settings, final Clock clock) throws MqttException {
        this(settings, clock, Outbox.Limits.defaults());
    }

    /** With explicit outbox bounds. */
    public Uplink(final Settings settings, final Clock clock, final Outbox.Limits limits) throws MqttException {
        this.settings = settings;
        this.clock = clock;
        try {
            Files.createDirectories(settings.stateDir());
            this.outbox = Outbox.open(settings.stateDir().resolve("outbox"), limits);
            this.boot = StartCount.next(settings.stateDir());
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot open the device state folder " + settings.stateDir() + ": "
                    + e.getMessage(), e);
        }
        this.credentials = LinkCredentials.resolve(settings.username(), settings.password(), settings.stateDir());
        // A stable client id so the broker keeps the session (and queued commands) across restarts.
        this.clientId = clientId(settings.site(), settings.line(), settings.device());
        this.rejectTopic = topic(Kind.REJECT);
        this.batchTopic = topic(Kind.REJECT_BATCH);
        // The outbox is the durable store: it resends whatever the broker has not acknowledged, and the
        // server drops duplicate ids. Paho's own file persistence would add nothing and breaks after a
        // crash: it replays stored PUBLISH packets that carry a topic alias but no topic name, which the
        // broker refuses (reason 130) on every reconnect.
        this.client = newClient();
        this.sender = new Thread(this::run, "uplink-sender");
        this.sender.setDaemon(true);
    }

    private MqttAsyncClient newClient() throws MqttException {
        final MqttAsyncClient c = new MqttAsyncClient(settings.brokerUrl(), clientId, new MemoryPersistence());
        c.setCallback(new Callback(c));
        return c;
    }

    /**
     * Before a reconnect, replaces the Paho client with a fresh one. Paho keeps the QoS 1 PUBLISH packets
     * that were in flight when the connection went (even with memory persistence) and resends them on a
     * {@code cleanStart=false} reconnect; but it has already rewritten them to use a topic alias of the
     * old connection (topic name removed), and aliases do not survive a connection, so the broker
     * disconnects with reason 148 ("topic alias could not be mapped") on every reconnect, forever. The
     * outbox resends everything not acknowledged itself, so nothing of Paho's in-flight state is needed.
     * The broker's session (subscriptions, queued commands) is kept: same client id, no clean start.
     */
    private void freshClient() throws MqttException {
        final MqttAsyncClient old = client;
        try {
            old.disconnectForcibly(0, 1_000, false);
        } catch (final MqttException | RuntimeException e) {
            LOG.debug("dropping the old MQTT client: {}", e.toString());
        }
        try {
            old.close(true);
        } catch (final MqttException | RuntimeException e) {
            LOG.debug("closing the old MQTT client: {}", e.toString());
        }
        client = newClient();
    }

    /** The MQTT client id of a device: {@code winnow-{site}-{line}-{device}}. */
    public static String clientId(final String site, final String line, final String device) {
        return "winnow-" + site + "-" + line + "-" + device;
    }

    private static int defaultBatchEvents() {
        final String env = System.getenv("WINNOW_UPLINK_BATCH_EVENTS");
        if (env != null && !env.isBlank()) {
            try {
                return Math.max(1, Math.min(Schema.MAX_BATCH_EVENTS, Integer.parseInt(env.trim())));
            } catch (final NumberFormatException e) {
                LOG.warn("WINNOW_UPLINK_BATCH_EVENTS={} is not a number; packing up to {} events", env,
                        Schema.MAX_BATCH_EVENTS);
            }
        }
        return Schema.MAX_BATCH_EVENTS;
    }

    /**
     * Most rejections packed into one message, 1 to {@link Schema#MAX_BATCH_EVENTS} (default: all that fit);
     * 1 sends every rejection as its own {@code events/reject} message, for servers older than the batch.
     */
    public void setMaxBatchEvents(final int max) {
        if (max < 1 || max > Schema.MAX_BATCH_EVENTS) {
            throw new IllegalArgumentException("batch size must be 1.." + Schema.MAX_BATCH_EVENTS + ", got " + max);
        }
        this.maxBatchEvents = max;
    }

    public int maxBatchEvents() {
        return maxBatchEvents;
    }

    private String topic(final Kind kind) {
        return Topic.of(settings.site(), settings.line(), settings.device(), kind).toString();
    }

    /**
     * Starts the sender thread, which connects (retrying with backoff while the broker is away) and
     * announces the device ({@code birthMessage}, nullable: none). Returns at once; messages sent meanwhile wait in
     * the outbox.
     */
    public void start(final Status birthMessage, final Consumer<Command> onCommand) throws MqttException {
        this.birth = birthMessage == null ? null : birthMessage.withBoot(boot);
        this.commandHandler = onCommand;
        started = true;
        sender.start();
    }

    /**
     * Announces the device again with a new status (the models its cameras run after a deployment, a rollback or a
     * fallback): sent now, retained, and used as the birth message on every later reconnection.
     */
    public void reannounce(final Status status) {
        this.birth = status.withBoot(boot);
        queueVolatile(new Outgoing(topic(Kind.STATUS), WireCodec.encode(birth), Kind.STATUS.qos(),
                Kind.STATUS.retained()));
    }

    /** How many times the agent has started on this device, this start included. */
    public long boot() {
        return boot;
    }

    private MqttConnectionOptions options() {
        final MqttConnectionOptions options = new MqttConnectionOptions();
        options.setAutomaticReconnect(false); // the sender thread reconnects, with backoff, and re-announces
        options.setCleanStart(false);
        options.setSessionExpiryInterval(7L * 24 * 3600);
        options.setKeepAliveInterval(10);
        options.setConnectionTimeout(10);
        if (credentials.username() != null) {
            options.setUserName(credentials.username());
        }
        if (credentials.password() != null) {
            options.setPassword(credentials.password().getBytes(StandardCharsets.UTF_8));
        }
        if (settings.brokerUrl().startsWith("ssl://")) {
            options.setSocketFactory(NoDelaySockets.tls(LinkTls.socketFactory(settings.stateDir())));
            options.setHttpsHostnameVerificationEnabled(true);
        } else {
            options.setSocketFactory(NoDelaySockets.plain());
        }
        final MqttMessage will = new MqttMessage(WireCodec.encode(Status.offline(clock.instant()).withBoot(boot)));
        will.setQos(1);
        will.setRetained(true);
        options.setWill(topic(Kind.STATUS), will);
        return options;
    }

    // ------------------------------------------------------------------ sending

    /**
     * Sends a message on its own topic. Events, alarms and command results are durable: written and
     * fsync'd to the outbox before this returns. Stats and status are queued in memory.
     * An event refused because the outbox is full is counted ({@link #outboxRefused()}) and alarmed.
     */
    public void send(final WireMessage message) throws InterruptedException {
        if (message.kind() == Kind.REJECT || message.kind() == Kind.ALARM || message.kind() == Kind.COMMAND_RESULT) {
            sendDurably(topic(message.kind()), WireCodec.encode(message));
        } else {
            queueVolatile(new Outgoing(topic(message.kind()), WireCodec.encode(message), message.kind().qos(),
                    message.kind().retained()));
        }
    }

    /** Sends a command's result on {@code cmd/{name}/result}, durably. */
    public void sendResult(final CommandResult result) throws InterruptedException {
        final String t = Topic.commandResult(settings.site(), settings.line(), settings.device(), result.name())
                .toString();
        sendDurably(t, WireCodec.encode(result));
    }

    /** Appends to the outbox; false when it is full. */
    public boolean sendDurably(final String topic, final byte[] payload) {
        try {
            final long seq = outbox.append(topic, payload, clock.millis(), false);
            if (seq < 0) {
                onFull();
                return false;
            }
            checkFill();
            return true;
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot write to the outbox " + outbox.dir() + ": " + e.getMessage(), e);
        }
    }

    private void queueVolatile(final Outgoing o) {
        while (!volatileQueue.offer(o)) {
            if (volatileQueue.poll() != null) {
                volatileDropped.incrementAndGet();
            }
        }
        synchronized (signal) {
            signal.notifyAll();
        }
    }

    private synchronized void onFull() {
        if (!fullRaised) {
            fullRaised = true;
            LOG.error("outbox full ({} bytes): new events are refused until the broker takes some", outbox.bytes());
            alarm(Alarm.State.RAISED, Alarm.Severity.CRITICAL, "outbox_full",
                    "outbox full: events are being refused (" + outbox.refused() + " so far)");
        }
    }

    private synchronized void checkFill() {
        final double fill = outbox.fillRatio();
        if (!nearFullRaised && fill >= NEAR_FULL) {
            nearFullRaised = true;
            LOG.warn("outbox {} % full ({} messages waiting)", Math.round(fill * 100), outbox.pending());
            alarm(Alarm.State.RAISED, Alarm.Severity.WARNING, "outbox_near_full",
                    "outbox " + Math.round(fill * 100) + " % full, " + outbox.pending() + " messages waiting");
        } else if (nearFullRaised && fill < NEAR_FULL_CLEAR) {
            nearFullRaised = false;
            alarm(Alarm.State.CLEARED, Alarm.Severity.WARNING, "outbox_near_full",
                    "outbox back to " + Math.round(fill * 100) + " %");
        }
        if (fullRaised && fill < NEAR_FULL) {
            fullRaised = false;
            alarm(Alarm.State.CLEARED, Alarm.Severity.CRITICAL, "outbox_full", "outbox accepts events again");
        }
    }

    private void alarm(final Alarm.State state, final Alarm.Severity severity, final String cause,
                       final String message) {
        final Alarm a = new Alarm(UUID.randomUUID().toString(), clock.instant(), state, severity, cause, message,
                null);
        try {
            outbox.append(topic(Kind.ALARM), WireCodec.encode(a), clock.millis(), true);
        } catch (final IOException e) {
            LOG.warn("cannot write alarm {}: {}", cause, e.toString());
        }
    }

    // ------------------------------------------------------------------ counters

    /** Messages the broker acknowledged since start, counting each event of a batch. */
    public long sent() {
        return sent.get();
    }

    /** Batch messages ({@code events/rejects}) the broker acknowledged since start. */
    public long batchesSent() {
        return batchesSent.get();
    }

    /** Messages waiting: in the outbox (not yet acknowledged) and in the in-memory stats queue. */
    public int pending() {
        return (int) Math.min(Integer.MAX_VALUE, outbox.pending() + volatileQueue.size() + volatileInflight.get());
    }

    /** Events refused because the outbox was full. */
    public long outboxRefused() {
        return outbox.refused();
    }

    /** Stats and status dropped from the in-memory queue (it keeps the newest). */
    public long volatileDropped() {
        return volatileDropped.get();
    }

    /** Publishes the broker refused (e.g. not authorised); they stay in the outbox and are retried. */
    public long refusedByBroker() {
        return refusedByBroker.get();
    }

    public long reconnects() {
        return reconnects.get();
    }

    public boolean isConnected() {
        return client.isConnected();
    }

    public Outbox outbox() {
        return outbox;
    }

    /** Waits until every queued message has been acknowledged, or the timeout passes. */
    public boolean drain(final long timeout, final TimeUnit unit) throws InterruptedException {
        final long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (System.nanoTime() < deadline) {
            if (pending() == 0) {
                return true;
            }
            Thread.sleep(10);
        }
        return pending() == 0;
    }

    // ------------------------------------------------------------------ sender thread

    private void run() {
        long backoffMs = 250;
        long lastPersist = System.nanoTime();
        while (running) {
            try {
                if (!client.isConnected()) {
                    if (connect()) {
                        backoffMs = 250;
                    } else {
                        final long sleep = backoffMs / 2 + ThreadLocalRandom.current().nextLong(backoffMs / 2 + 1);
                        sleepUnlessStopped(sleep);
                        backoffMs = Math.min(backoffMs * 2, 30_000);
                    }
                    continue;
                }
                if (rewindNeeded.getAndSet(false)) {
                    outbox.rewind();
                }
                boolean busy = sendVolatile();
                int room = System.nanoTime() - pauseUntil < 0 ? 0 : window - inflightMessages.get();
                final boolean hadRoom = room > 0;
                while (room > 0) {
                    // whatever is waiting now, packed: never waits for more to come
                    final List<Outbox.Entry> run = outbox.nextRun(maxBatchEvents,
                            Schema.MAX_PAYLOAD_BYTES - RejectPacker.OVERHEAD_BYTES, rejectTopic::equals);
                    if (run.isEmpty()) {
                        break;
                    }
                    busy = true;
                    if (!publish(run)) {
                        break;
                    }
                    room--;
                }
                if (System.nanoTime() - lastPersist > 200_000_000L) {
                    outbox.persistWatermark();
                    lastPersist = System.nanoTime();
                }
                if (!busy) {
                    if (!hadRoom) {
                        synchronized (signal) {
                            signal.wait(20);
                        }
                    } else if (volatileQueue.isEmpty()) {
                        outbox.awaitReady(50);
                    }
                }
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (final IOException | RuntimeException e) {
                LOG.warn("uplink: {}", e.toString());
                sleepQuietly(500);
            }
        }
    }

    private boolean connect() {
        try {
            if (clientUsed) {
                freshClient();
            }
            clientUsed = true;
            inflightMessages = new AtomicInteger();
            final IMqttToken t = client.connect(options());
            t.waitForCompletion(15_000);
            final MqttProperties props = t.getResponseProperties();
            final Integer receiveMax = props == null ? null : props.getReceiveMaximum();
            window = receiveMax == null ? DEFAULT_WINDOW : Math.max(1, Math.min(DEFAULT_WINDOW, receiveMax));
            if (reconnects.getAndIncrement() > 0) {
                LOG.info("reconnected to {}", settings.brokerUrl());
            }
            announce();
            rewindNeeded.set(true);
            return true;
        } catch (final MqttException e) {
            LOG.warn("broker {} not reachable: {}", settings.brokerUrl(), e.getMessage());
            return false;
        }
    }

    private void announce() throws MqttException {
        if (birth != null) {
            final MqttMessage b = new MqttMessage(WireCodec.encode(birth));
            b.setQos(1);
            b.setRetained(true);
            client.publish(topic(Kind.STATUS), b).waitForCompletion(10_000);
        }
        client.subscribe(Topic.devicePrefix(settings.site(), settings.line(), settings.device()) + "cmd/+", 1)
                .waitForCompletion(10_000);
    }

    /**
     * Publishes a run from the outbox: alone when it is one message, else packed into one batch. What does not
     * make it into the message goes back to the outbox's cursor. False when nothing could be published.
     */
    private boolean publish(final List<Outbox.Entry> run) {
        final Outbox.Entry first = run.get(0);
        int count = 1;
        String topic = first.topic();
        byte[] payload = first.payload();
        if (run.size() > 1) {
            final List<byte[]> singles = new ArrayList<>(run.size());
            for (final Outbox.Entry e : run) {
                singles.add(e.payload());
            }
            final RejectPacker.Packed packed = RejectPacker.pack(singles, maxBatchEvents, Schema.MAX_PAYLOAD_BYTES);
            if (packed.events() > 1) {
                count = packed.events();
                topic = batchTopic;
                payload = packed.payload();
            } // else: the first is not a valid rejection (or alone fits): it goes alone, as written
            if (count < run.size()) {
                outbox.unsend(run.get(count).seq());
            }
        }
        final long[] seqs = new long[count];
        for (int i = 0; i < count; i++) {
            seqs[i] = run.get(i).seq();
        }
        final boolean batch = count > 1;
        final String sentTopic = topic;
        final MqttMessage m = new MqttMessage(payload);
        m.setQos(1);
        final MqttAsyncClient c = client;
        final AtomicInteger inflight = inflightMessages;
        final String what = batch ? "batch of " + count + " from message " + seqs[0] : "message " + seqs[0];
        try {
            inflight.incrementAndGet();
            c.publish(topic, m, seqs[0], new MqttActionListener() {
                @Override
                public void onSuccess(final IMqttToken token) {
                    inflight.decrementAndGet();
                    final int[] codes = token.getReasonCodes();
                    if (codes != null && codes.length > 0 && codes[0] >= MqttReturnCode.RETURN_CODE_UNSPECIFIED_ERROR) {
                        refusedByBroker.incrementAndGet();
                        LOG.warn("broker refused {} on {} (reason {}); keeping it and retrying", what, sentTopic,
                                codes[0]);
                        pauseUntil = System.nanoTime() + 1_000_000_000L;
                        outbox.unsend(seqs[0]);
                        wake();
                        return;
                    }
                    // counted before the outbox lets go, so whoever sees the outbox empty sees them counted
                    sent.addAndGet(seqs.length);
                    if (batch) {
                        batchesSent.incrementAndGet();
                    }
                    for (final long seq : seqs) {
                        outbox.ack(seq);
                    }
                    wake();
                }

                @Override
                public void onFailure(final IMqttToken token, final Throwable exception) {
                    inflight.decrementAndGet();
                    if (c == client) { // a replaced client's failures are already covered by the rewind
                        rewindNeeded.set(true);
                    }
                    wake();
                }
            });
            return true;
        } catch (final MqttException ex) {
            inflight.decrementAndGet();
            // too many in flight, or the connection just went: send it (and what followed) again later
            outbox.unsend(seqs[0]);
            if (ex.getReasonCode() == org.eclipse.paho.mqttv5.client.MqttClientException.REASON_CODE_MAX_INFLIGHT) {
                window = Math.max(1, window / 2);
                sleepQuietly(5);
            }
            return false;
        }
    }

    private boolean sendVolatile() {
        boolean any = false;
        Outgoing o;
        while (volatileInflight.get() < 4 && (o = volatileQueue.peek()) != null) {
            final MqttMessage m = new MqttMessage(o.payload());
            m.setQos(o.qos());
            m.setRetained(o.retained());
            try {
                volatileInflight.incrementAndGet();
                client.publish(o.topic(), m, null, new MqttActionListener() {
                    @Override
                    public void onSuccess(final IMqttToken token) {
                        sent.incrementAndGet();
                        volatileInflight.decrementAndGet();
                        wake();
                    }

                    @Override
                    public void onFailure(final IMqttToken token, final Throwable exception) {
                        volatileInflight.decrementAndGet();
                        wake();
                    }
                });
                volatileQueue.poll();
                any = true;
            } catch (final MqttException ex) {
                volatileInflight.decrementAndGet();
                return any;
            }
        }
        return any;
    }

    private void wake() {
        synchronized (signal) {
            signal.notifyAll();
        }
    }

    private void sleepUnlessStopped(final long ms) throws InterruptedException {
        final long until = System.nanoTime() + ms * 1_000_000;
        while (running && System.nanoTime() < until) {
            Thread.sleep(Math.min(50, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
        }
    }

    private static void sleepQuietly(final long ms) {
        try {
            Thread.sleep(ms);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ close

    /**
     * Waits up to 5 s for the outbox to empty, says goodbye (retained {@code offline}) and disconnects.
     * What is not acknowledged stays in the outbox and is sent after the next start.
     */
    @Override
    public void close() {
        if (started) {
            try {
                drain(5, TimeUnit.SECONDS);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        running = false;
        sender.interrupt();
        try {
            sender.join(2_000);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            if (client.isConnected()) {
                // A clean goodbye: the retained status says offline without waiting for the will.
                final MqttMessage offline = new MqttMessage(WireCodec.encode(
                        Status.offline(clock.instant()).withBoot(boot)));
                offline.setQos(1);
                offline.setRetained(true);
                client.publish(topic(Kind.STATUS), offline).waitForCompletion(2_000);
                client.disconnect(2_000).waitForCompletion(3_000);
            }
        } catch (final MqttException e) {
            LOG.warn("closing MQTT link: {}", e.getMessage());
        }
        try {
            client.close(true);
        } catch (final MqttException e) {
            LOG.debug("closing MQTT client: {}", e.getMessage());
        }
        if (outbox.pending() > 0) {
            LOG.warn("{} messages stay in the outbox {} until the next start", outbox.pending(), outbox.dir());
        }
        outbox.close();
    }

    private final class Callback implements MqttCallback {
        private final MqttAsyncClient owner;

        Callback(final MqttAsyncClient owner) {
            this.owner = owner;
        }

        @Override
        public void disconnected(final MqttDisconnectResponse response) {
            if (owner != client) {
                return; // a replaced client
            }
            if (running) {
                LOG.warn("disconnected from broker: {}", response.getReasonString());
            }
            rewindNeeded.set(true);
            wake();
        }

        @Override
        public void mqttErrorOccurred(final MqttException exception) {
            LOG.warn("MQTT error: {}", exception.getMessage());
        }

        @Override
        public void messageArrived(final String topic, final MqttMessage message) {
            final Decoded<Command> decoded = WireCodec.decodeCommand(message.getPayload());
            if (decoded instanceof Decoded.Ok<Command> ok) {
                commandHandler.accept(ok.value());
            } else {
                LOG.warn("refused command on {}: {}", topic, decoded.errorOrNull());
            }
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
}
