package dev.winnow.edge.link;

import dev.winnow.protocol.Command;
import dev.winnow.protocol.Decoded;
import dev.winnow.protocol.Kind;
import dev.winnow.protocol.Status;
import dev.winnow.protocol.Topic;
import dev.winnow.protocol.WireCodec;
import dev.winnow.protocol.WireMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MqttDefaultFilePersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device's MQTT link: birth and last will, events and stats out, commands in.
 *
 * <p>Messages are queued and sent by one sender thread that waits for the broker's QoS 1
 * acknowledgement; a message that could not be sent stays at the head of the queue and is retried
 * after reconnecting, so a short outage delays events but does not drop them. The queue is bounded;
 * when it is full {@link #send} blocks the caller rather than dropping.
 */
public final class Uplink implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Uplink.class);

    /** Where the device is and how to reach the broker. {@code password} is nullable. */
    public record Settings(String brokerUrl, String site, String line, String device, String username,
                           String password, Path stateDir, String agentVersion) {
    }

    private final Settings settings;
    private final Clock clock;
    private final MqttClient client;
    private final BlockingQueue<Outgoing> queue = new ArrayBlockingQueue<>(10_000);
    private final AtomicLong sent = new AtomicLong();
    private final Thread sender;
    private volatile boolean running = true;
    private volatile Consumer<Command> commandHandler = c -> { };
    private volatile Status birth;

    private record Outgoing(String topic, byte[] payload, int qos, boolean retained) {
    }

    public Uplink(final Settings settings, final Clock clock) throws MqttException {
        this.settings = settings;
        this.clock = clock;
        final Path persistence = settings.stateDir().resolve("mqtt");
        try {
            Files.createDirectories(persistence);
        } catch (final java.io.IOException e) {
            throw new IllegalStateException("cannot create MQTT state folder " + persistence + ": " + e.getMessage(), e);
        }
        // A stable client id so the broker keeps the session (and queued commands) across restarts.
        final String clientId = "winnow-" + settings.site() + "-" + settings.line() + "-" + settings.device();
        this.client = new MqttClient(settings.brokerUrl(), clientId,
                new MqttDefaultFilePersistence(persistence.toString()));
        this.client.setCallback(new Callback());
        this.sender = new Thread(this::sendLoop, "uplink-sender");
        this.sender.setDaemon(true);
    }

    private String topic(final Kind kind) {
        return Topic.of(settings.site(), settings.line(), settings.device(), kind).toString();
    }

    /** Connects (retrying in the background if the broker is not there yet) and announces the device. */
    public void start(final Status birthMessage, final Consumer<Command> onCommand) throws MqttException {
        this.birth = birthMessage;
        this.commandHandler = onCommand;
        final MqttConnectionOptions options = new MqttConnectionOptions();
        options.setAutomaticReconnect(true);
        options.setAutomaticReconnectDelay(1, 30);
        options.setCleanStart(false);
        options.setSessionExpiryInterval(7L * 24 * 3600);
        options.setKeepAliveInterval(10);
        options.setConnectionTimeout(10);
        if (settings.username() != null) {
            options.setUserName(settings.username());
        }
        if (settings.password() != null) {
            options.setPassword(settings.password().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        final MqttMessage will = new MqttMessage(WireCodec.encode(Status.offline(clock.instant())));
        will.setQos(1);
        will.setRetained(true);
        options.setWill(topic(Kind.STATUS), will);
        connectWithRetry(options);
        sender.start();
    }

    private void connectWithRetry(final MqttConnectionOptions options) throws MqttException {
        long backoffMs = 250;
        while (running) {
            try {
                client.connect(options);
                return;
            } catch (final MqttException e) {
                LOG.warn("broker {} not reachable ({}); retrying in {} ms", settings.brokerUrl(), e.getMessage(), backoffMs);
                try {
                    Thread.sleep(backoffMs);
                } catch (final InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
                backoffMs = Math.min(backoffMs * 2, 10_000);
            }
        }
    }

    /** Queues a message for its own topic; blocks while the queue is full. */
    public void send(final WireMessage message) throws InterruptedException {
        queue.put(new Outgoing(topic(message.kind()), WireCodec.encode(message), message.kind().qos(),
                message.kind().retained()));
    }

    /** Sends a command's result on {@code cmd/{name}/result}. */
    public void sendResult(final dev.winnow.protocol.CommandResult result) throws InterruptedException {
        final String t = Topic.commandResult(settings.site(), settings.line(), settings.device(), result.name()).toString();
        queue.put(new Outgoing(t, WireCodec.encode(result), 1, false));
    }

    public long sent() {
        return sent.get();
    }

    public int pending() {
        return queue.size();
    }

    /** Waits until every queued message has been acknowledged, or the timeout passes. */
    public boolean drain(final long timeout, final TimeUnit unit) throws InterruptedException {
        final long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (System.nanoTime() < deadline) {
            if (queue.isEmpty() && inFlight == null) {
                return true;
            }
            Thread.sleep(10);
        }
        return queue.isEmpty() && inFlight == null;
    }

    private volatile Outgoing inFlight;

    private void sendLoop() {
        while (running || !queue.isEmpty()) {
            try {
                final Outgoing next = queue.poll(100, TimeUnit.MILLISECONDS);
                if (next == null) {
                    continue;
                }
                inFlight = next;
                deliver(next);
                inFlight = null;
                sent.incrementAndGet();
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Retries one message until the broker acknowledges it; never gives up while running. */
    private void deliver(final Outgoing out) throws InterruptedException {
        long backoffMs = 100;
        while (true) {
            try {
                final MqttMessage m = new MqttMessage(out.payload());
                m.setQos(out.qos());
                m.setRetained(out.retained());
                client.publish(out.topic(), m);
                return;
            } catch (final MqttException e) {
                if (!running && !client.isConnected()) {
                    LOG.warn("link closing with {} unsent messages", queue.size() + 1);
                    throw new InterruptedException("closed");
                }
                Thread.sleep(backoffMs);
                backoffMs = Math.min(backoffMs * 2, 5_000);
            }
        }
    }

    @Override
    public void close() {
        try {
            drain(5, TimeUnit.SECONDS);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        running = false;
        try {
            sender.join(2_000);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            if (client.isConnected()) {
                // A clean goodbye: the retained status says offline without waiting for the will.
                final MqttMessage offline = new MqttMessage(WireCodec.encode(Status.offline(clock.instant())));
                offline.setQos(1);
                offline.setRetained(true);
                client.publish(topic(Kind.STATUS), offline);
                client.disconnect(2_000);
            }
            client.close();
        } catch (final MqttException e) {
            LOG.warn("closing MQTT link: {}", e.getMessage());
        }
    }

    private final class Callback implements MqttCallback {
        @Override
        public void disconnected(final MqttDisconnectResponse response) {
            LOG.warn("disconnected from broker: {}", response.getReasonString());
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
            // Paho forbids blocking calls on its callback thread, so announce from a thread of our own.
            final Thread announce = new Thread(Uplink.this::announce, "uplink-birth");
            announce.setDaemon(true);
            announce.start();
        }

        @Override
        public void authPacketArrived(final int reasonCode, final MqttProperties properties) {
        }
    }

    private void announce() {
        try {
            final MqttMessage b = new MqttMessage(WireCodec.encode(birth));
            b.setQos(1);
            b.setRetained(true);
            client.publish(topic(Kind.STATUS), b);
            client.subscribe(Topic.devicePrefix(settings.site(), settings.line(), settings.device()) + "cmd/+", 1);
        } catch (final MqttException e) {
            LOG.warn("announcing device after connect: {}", e.getMessage());
        }
    }
}
