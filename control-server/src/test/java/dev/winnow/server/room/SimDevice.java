package dev.winnow.server.room;

import dev.winnow.protocol.Alarm;
import dev.winnow.protocol.Command;
import dev.winnow.protocol.CommandResult;
import dev.winnow.protocol.Commands;
import dev.winnow.protocol.Kind;
import dev.winnow.protocol.RejectEvent;
import dev.winnow.protocol.Stats;
import dev.winnow.protocol.Status;
import dev.winnow.protocol.Topic;
import dev.winnow.protocol.WireCodec;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;

/**
 * A simulated edge device for tests: publishes status, stats, rejections and alarms, and answers
 * commands with {@code accepted} then what {@code answer} decides ({@code null} = done). Like the real
 * agent, it refuses a command or an argument that {@link Commands} does not name, so a server that
 * drifts from the shared names fails here too.
 */
public final class SimDevice implements AutoCloseable {

    public final String site;
    public final String line;
    public final String device;
    private final MqttClient client;
    public final List<Command> received = new CopyOnWriteArrayList<>();
    /** Returns null for done, "refused:reason", "failed:reason" or "silent". */
    public volatile Function<Command, String> answer = c -> null;

    public SimDevice(final String url, final String site, final String line, final String device) throws MqttException {
        this.site = site;
        this.line = line;
        this.device = device;
        client = new MqttClient(url, "sim-" + site + "-" + line + "-" + device, new MemoryPersistence());
        final MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        o.setWill(Topic.of(site, line, device, Kind.STATUS).toString(),
                new MqttMessage(WireCodec.encode(Status.offline(Instant.now()))));
        client.connect(o);
        final org.eclipse.paho.mqttv5.client.IMqttMessageListener l = (topic, msg) -> {
            final Command c = WireCodec.decodeCommand(msg.getPayload()).orThrow();
            received.add(c);
            new Thread(() -> respond(c)).start();
        };
        client.subscribe(new org.eclipse.paho.mqttv5.common.MqttSubscription[] {
                new org.eclipse.paho.mqttv5.common.MqttSubscription(Topic.ROOT + "/" + Topic.VERSION + "/" + site + "/"
                        + line + "/" + device + "/cmd/+", 1)},
                new org.eclipse.paho.mqttv5.client.IMqttMessageListener[] {l});
    }

    private void respond(final Command c) {
        try {
            // like the agent: a command or an argument the shared protocol does not name is refused
            if (!Commands.known(c.name())) {
                result(c, CommandResult.Outcome.REFUSED, "unknown command '" + c.name() + "'");
                return;
            }
            final java.util.Optional<String> unknown = Commands.unknownArgument(c.name(), c.args());
            if (unknown.isPresent()) {
                result(c, CommandResult.Outcome.REFUSED, unknown.get() + ": unknown argument");
                return;
            }
            final String a = answer.apply(c);
            if ("silent".equals(a)) {
                return;
            }
            if (a != null && a.startsWith("refused:")) {
                result(c, CommandResult.Outcome.REFUSED, a.substring(8));
                return;
            }
            result(c, CommandResult.Outcome.ACCEPTED, null);
            Thread.sleep(50);
            if (a != null && a.startsWith("failed:")) {
                result(c, CommandResult.Outcome.FAILED, a.substring(7));
            } else {
                result(c, CommandResult.Outcome.DONE, null);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void result(final Command c, final CommandResult.Outcome o, final String reason) throws Exception {
        publish(Topic.commandResult(site, line, device, c.name()).toString(),
                WireCodec.encode(new CommandResult(c.id(), c.name(), o, reason, Instant.now())), false);
    }

    public void online(final String version, final Map<String, String> models) throws Exception {
        online(version, models, java.util.List.of());
    }

    /** Announces the device with some cameras in audit mode on their own. */
    public void online(final String version, final Map<String, String> models, final java.util.List<String> auditCameras)
            throws Exception {
        publish(Topic.of(site, line, device, Kind.STATUS).toString(), WireCodec.encode(new Status(Status.State.ONLINE,
                Instant.now(), version, models, "cfg-" + device, auditCameras)), true);
    }

    /** Announces the device as its agent's start {@code boot}, stamped {@code time} by the device's clock. */
    public void online(final String version, final Map<String, String> models, final Instant time, final long boot)
            throws Exception {
        publish(Topic.of(site, line, device, Kind.STATUS).toString(), WireCodec.encode(new Status(Status.State.ONLINE,
                time, version, models, "cfg-" + device, java.util.List.of(), boot)), true);
    }

    public void offline() throws Exception {
        publish(Topic.of(site, line, device, Kind.STATUS).toString(), WireCodec.encode(Status.offline(Instant.now())),
                true);
    }

    public void stats(final Stats.Mode mode, final double fps, final Map<String, Long> rejections, final long escapes,
                      final Double cpu) throws Exception {
        stats(mode, fps, rejections, escapes, cpu, 0);
    }

    /** Stats of a 10-s interval in which the device inspected 300 frames and dropped {@code dropped}. */
    public void stats(final Stats.Mode mode, final double fps, final Map<String, Long> rejections, final long escapes,
                      final Double cpu, final long dropped) throws Exception {
        final Instant now = Instant.now();
        publish(Topic.of(site, line, device, Kind.STATS).toString(), WireCodec.encode(new Stats(now.minusSeconds(10), now,
                mode, 300, dropped, 40, rejections, rejections, escapes, 0, 11.5, 23.0, 17, fps, 3, cpu, null)), false);
    }

    /** Stats of an interval of {@code interval} that ends at {@code to} on this device's own clock, sent now. */
    public void statsEnding(final Instant to, final java.time.Duration interval) throws Exception {
        publish(Topic.of(site, line, device, Kind.STATS).toString(), WireCodec.encode(new Stats(to.minus(interval), to,
                Stats.Mode.RUNNING, 300, 0, 40, Map.of(), Map.of(), 0, 0, 11.5, 23.0, 17, 30.0, 0, null, null)), false);
    }

    public void reject(final String id, final String cls, final double confidence) throws Exception {
        publish(Topic.of(site, line, device, Kind.REJECT).toString(), WireCodec.encode(new RejectEvent(id, Instant.now(),
                "cam-rgb", cls, confidence, 12_000, 400, 12, 30, List.of(15, 16), 18, false, "colour-1.0.0", "lot-1",
                null)), false);
    }

    public void alarm(final String id, final Alarm.State state, final Alarm.Severity sev, final String cause,
                      final String message) throws Exception {
        publish(Topic.of(site, line, device, Kind.ALARM).toString(), WireCodec.encode(new Alarm(id, Instant.now(), state,
                sev, cause, message, "cam-rgb")), false);
    }

    public void publish(final String topic, final byte[] payload, final boolean retained) throws Exception {
        final MqttMessage m = new MqttMessage(payload);
        m.setQos(1);
        m.setRetained(retained);
        for (int attempt = 0; ; attempt++) {
            try {
                client.publish(topic, m);
                return;
            } catch (MqttException e) {
                if (e.getReasonCode() != MqttClientException.REASON_CODE_MAX_INFLIGHT || attempt > 200) {
                    throw e;
                }
                Thread.sleep(20);
            }
        }
    }

    @Override
    public void close() throws MqttException {
        if (client.isConnected()) {
            client.disconnect();
        }
        client.close();
    }
}
