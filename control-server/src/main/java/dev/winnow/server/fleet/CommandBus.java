package dev.winnow.server.fleet;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.winnow.protocol.Command;
import dev.winnow.protocol.CommandResult;
import dev.winnow.protocol.Decoded;
import dev.winnow.protocol.Topic;
import dev.winnow.protocol.WireCodec;
import dev.winnow.server.store.Database;
import dev.winnow.server.store.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
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
 * Sends commands to devices ({@code winnow/v1/{site}/{line}/{device}/cmd/{name}}, QoS 1) with the
 * server's own MQTT client and follows their answers ({@code .../cmd/{name}/result}): accepted, then
 * done / failed, or refused. Every command is recorded with who sent it (table {@code sent_commands}).
 */
public final class CommandBus implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CommandBus.class);
    private static final String RESULTS = Topic.ROOT + "/" + Topic.VERSION + "/+/+/+/cmd/+/result";

    /**
     * A command's latest known state: sent, accepted, done, failed, refused or timeout.
     *
     * @param answered   when the server received the answer (its clock); null while none
     * @param deviceTime when the device answered, by the device's own clock (compared with its other messages'
     *                   times, never with the server's); null while no answer
     */
    public record Outcome(String id, String site, String line, String device, String name, String state,
                          String reason, Instant sent, Instant answered, Instant deviceTime) {
        public boolean isFinal() {
            return !state.equals("sent") && !state.equals("accepted");
        }

        public boolean ok() {
            return state.equals("done");
        }
    }

    private final MqttAsyncClient client;
    private final Database db;
    private final Clock clock;
    private final Map<String, Outcome> latest = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Outcome>> finals = new ConcurrentHashMap<>();
    private final List<Consumer<Outcome>> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        final Thread t = new Thread(r, "winnow-command-timeouts");
        t.setDaemon(true);
        return t;
    });

    public CommandBus(final String url, final String clientId, final String username, final String password,
                      final javax.net.SocketFactory sockets, final Database db, final Clock clock) {
        this.db = db;
        this.clock = clock;
        try {
            client = new MqttAsyncClient(url, clientId, new MemoryPersistence());
            client.setCallback(new Callback());
            final MqttConnectionOptions o = new MqttConnectionOptions();
            o.setCleanStart(true);
            o.setAutomaticReconnect(true);
            o.setAutomaticReconnectDelay(1, 30);
            o.setConnectionTimeout(10);
            if (username != null) {
                o.setUserName(username);
                o.setPassword(password == null ? new byte[0] : password.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            o.setSocketFactory(sockets instanceof javax.net.ssl.SSLSocketFactory ssl
                    ? dev.winnow.protocol.NoDelaySockets.tls(ssl)
                    : sockets != null ? sockets : dev.winnow.protocol.NoDelaySockets.plain());
            client.connect(o).waitForCompletion(15_000);
            client.subscribe(RESULTS, 1).waitForCompletion(15_000);
        } catch (MqttException e) {
            throw new IllegalStateException("cannot connect the command client to " + url + ": " + e, e);
        }
    }

    /** Called with every change of a command's state (on an MQTT or timer thread; be quick). */
    public void onChange(final Consumer<Outcome> listener) {
        listeners.add(listener);
    }

    public boolean isConnected() {
        return client.isConnected();
    }

    /**
     * Sends a command and returns a future completed with its final outcome ({@code done},
     * {@code failed}, {@code refused}, or {@code timeout} after {@code timeout}).
     */
    public CompletableFuture<Outcome> send(final String site, final String line, final String device,
                                           final String name, final ObjectNode args, final String sentBy,
                                           final Duration timeout) {
        return send(site, line, device, name, id -> args, sentBy, timeout);
    }

    /**
     * As {@link #send(String, String, String, String, ObjectNode, String, Duration)}, with arguments that
     * depend on the command's id (e.g. the URL a device uploads its answer to).
     */
    public CompletableFuture<Outcome> send(final String site, final String line, final String device,
                                           final String name, final Function<String, ObjectNode> argsForId,
                                           final String sentBy, final Duration timeout) {
        final String id = UUID.randomUUID().toString();
        final Instant now = clock.instant();
        final ObjectNode args = argsForId.apply(id);
        final Command cmd = new Command(id, name, now, args);
        final CompletableFuture<Outcome> f = new CompletableFuture<>();
        finals.put(id, f);
        record(id, site, line, device, name, args.toString(), sentBy, now);
        update(new Outcome(id, site, line, device, name, "sent", null, now, null, null));
        final byte[] payload = WireCodec.encode(cmd);
        if (payload.length > dev.winnow.protocol.Schema.MAX_PAYLOAD_BYTES) {
            // the device would drop it unread, and the command would only time out
            update(new Outcome(id, site, line, device, name, "failed", "the command is " + payload.length
                    + " bytes; at most " + dev.winnow.protocol.Schema.MAX_PAYLOAD_BYTES + " travel to a device", now,
                    clock.instant(), null));
            return f;
        }
        try {
            final MqttMessage m = new MqttMessage(payload);
            m.setQos(1);
            client.publish(Topic.command(site, line, device, name).toString(), m);
        } catch (MqttException e) {
            update(new Outcome(id, site, line, device, name, "failed", "the server could not publish: " + e.getMessage(),
                    now, clock.instant(), null));
            return f;
        }
        timer.schedule(() -> {
            final Outcome o = latest.get(id);
            if (o != null && !o.isFinal()) {
                update(new Outcome(id, site, line, device, name, "timeout", "no "
                        + (o.state().equals("sent") ? "answer" : "final answer") + " from the device within "
                        + timeout.toSeconds() + " s", o.sent(), clock.instant(), null));
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        return f;
    }

    public Outcome outcome(final String id) {
        return latest.get(id);
    }

    /** Recent commands (newest first) of one device, as known since the server started. */
    public List<Outcome> recent(final String site, final String line, final String device, final int limit) {
        final List<Outcome> out = new ArrayList<>();
        for (Outcome o : latest.values()) {
            if (o.site().equals(site) && o.line().equals(line) && o.device().equals(device)) {
                out.add(o);
            }
        }
        out.sort((a, b) -> b.sent().compareTo(a.sent()));
        return out.size() > limit ? out.subList(0, limit) : out;
    }

    private void update(final Outcome o) {
        latest.put(o.id(), o);
        for (Consumer<Outcome> l : listeners) {
            try {
                l.accept(o);
            } catch (RuntimeException e) {
                LOG.warn("command listener failed: {}", e.toString());
            }
        }
        if (o.isFinal()) {
            final CompletableFuture<Outcome> f = finals.remove(o.id());
            if (f != null) {
                f.complete(o);
            }
        }
    }

    private void record(final String id, final String site, final String line, final String device, final String name,
                        final String args, final String by, final Instant at) {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement("INSERT INTO sent_commands "
                + "(id, site, line, device, name, args_json, sent_by, sent_at) VALUES (?,?,?,?,?,?,?,?)")) {
            ps.setString(1, id);
            ps.setString(2, site);
            ps.setString(3, line);
            ps.setString(4, device);
            ps.setString(5, name);
            ps.setString(6, args.length() > 16000 ? args.substring(0, 16000) : args);
            ps.setString(7, by);
            ps.setObject(8, OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
            ps.executeUpdate();
        } catch (java.sql.SQLException e) {
            throw new StoreException(e);
        }
    }

    private final class Callback implements MqttCallback {
        @Override
        public void messageArrived(final String topic, final MqttMessage message) {
            final Decoded<Topic> t = Topic.parse(topic);
            if (!t.isOk()) {
                return;
            }
            final Decoded<CommandResult> d = WireCodec.decodeCommandResult(message.getPayload());
            if (!d.isOk()) {
                LOG.debug("bad command result on {}: {}", topic, d.errorOrNull());
                return;
            }
            final CommandResult r = d.orThrow();
            final Outcome prev = latest.get(r.id());
            if (prev == null) {
                return; // another server instance's command, or from before a restart
            }
            final Topic tp = t.orThrow();
            if (!tp.site().equals(prev.site()) || !tp.line().equals(prev.line()) || !tp.device().equals(prev.device())) {
                return; // only the addressed device may answer
            }
            if (prev.isFinal()) {
                return;
            }
            final String state = r.outcome().name().toLowerCase(java.util.Locale.ROOT);
            update(new Outcome(prev.id(), prev.site(), prev.line(), prev.device(), prev.name(), state, r.reason(),
                    prev.sent(), clock.instant(), r.time()));
        }

        @Override
        public void disconnected(final MqttDisconnectResponse response) {
            LOG.warn("command client disconnected: {}", response);
        }

        @Override
        public void mqttErrorOccurred(final MqttException exception) {
            LOG.warn("command client error: {}", exception.toString());
        }

        @Override
        public void deliveryComplete(final IMqttToken token) {
        }

        @Override
        public void connectComplete(final boolean reconnect, final String serverURI) {
            if (reconnect) {
                try {
                    client.subscribe(RESULTS, 1);
                } catch (MqttException e) {
                    LOG.warn("command client could not resubscribe: {}", e.toString());
                }
            }
        }

        @Override
        public void authPacketArrived(final int reasonCode, final MqttProperties properties) {
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            if (client.isConnected()) {
                client.disconnect().waitForCompletion(2_000);
            }
            client.close();
        } catch (MqttException e) {
            LOG.debug("closing the command client", e);
        }
    }
}
