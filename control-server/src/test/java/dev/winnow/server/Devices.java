package dev.winnow.server;

import dev.winnow.protocol.Kind;
import dev.winnow.protocol.RejectEvent;
import dev.winnow.protocol.Status;
import dev.winnow.protocol.Topic;
import dev.winnow.protocol.WireCodec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;

/** A fake device for tests: a plain Paho MQTT 5 client publishing wire messages. */
final class Devices implements AutoCloseable {

    private final MqttClient client;

    Devices(final String url, final String clientId) throws MqttException {
        client = new MqttClient(url, clientId, new MemoryPersistence());
        final MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        client.connect(o);
    }

    static RejectEvent reject(final String id, final String cls) {
        return new RejectEvent(id, Instant.now(), "cam0", cls, 0.91, 12_345.5, 410, 12, 30, List.of(7, 8), 18,
                false, "colour-1.0.0", "lot-42", null);
    }

    static Status online() {
        return new Status(Status.State.ONLINE, Instant.now(), "0.1.0", Map.of("cam0", "colour-1.0.0"), "abc123");
    }

    void publish(final String site, final String line, final String device, final RejectEvent e)
            throws MqttException {
        publish(Topic.of(site, line, device, Kind.REJECT).toString(), WireCodec.encode(e), false);
    }

    void publish(final String site, final String line, final String device, final Status s) throws MqttException {
        publish(Topic.of(site, line, device, Kind.STATUS).toString(), WireCodec.encode(s), true);
    }

    void publishRaw(final String topic, final String payload) throws MqttException {
        publish(topic, payload.getBytes(StandardCharsets.UTF_8), false);
    }

    void publish(final String topic, final byte[] payload, final boolean retained) throws MqttException {
        final MqttMessage m = new MqttMessage(payload);
        m.setQos(1);
        m.setRetained(retained);
        client.publish(topic, m);
    }

    @Override
    public void close() throws MqttException {
        client.disconnect();
        client.close();
    }
}
