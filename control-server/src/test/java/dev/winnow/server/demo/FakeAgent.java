package dev.winnow.server.demo;

import dev.winnow.protocol.Kind;
import dev.winnow.protocol.RejectEvent;
import dev.winnow.protocol.Status;
import dev.winnow.protocol.Topic;
import dev.winnow.protocol.WireCodec;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;

/**
 * A stand-in for {@code winnow-agent simulate}, run as its own process by the demo tests. Takes the real
 * agent's options ({@code --mqtt --site --line --device --seed --state --forever}) and a few test-only ones:
 * {@code --events N} rejections to publish (default 5), {@code --exit-after-ms MS} (then exit with code 3),
 * {@code --ignore-term} (a shutdown hook that never finishes, so only SIGKILL ends it).
 */
public final class FakeAgent {

    private FakeAgent() {
    }

    public static void main(final String[] args) throws Exception {
        final Map<String, String> o = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            final String a = args[i];
            if (a.equals("--forever") || a.equals("--ignore-term")) {
                o.put(a, "true");
            } else {
                o.put(a, args[++i]);
            }
        }
        final String site = o.get("--site");
        final String line = o.get("--line");
        final String device = o.get("--device");
        final int events = Integer.parseInt(o.getOrDefault("--events", "5"));
        final long pid = ProcessHandle.current().pid();
        System.out.println("fake agent " + line + " pid " + pid + " starting: " + String.join(" ", args));
        if (o.containsKey("--ignore-term")) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                System.out.println("fake agent: ignoring SIGTERM");
                try {
                    Thread.sleep(600_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        final MqttClient client = new MqttClient(o.get("--mqtt"), "fake-" + device + "-" + pid, new MemoryPersistence());
        final MqttConnectionOptions co = new MqttConnectionOptions();
        co.setCleanStart(true);
        client.connect(co);
        final MqttMessage birth = new MqttMessage(WireCodec.encode(new Status(Status.State.ONLINE, Instant.now(),
                "fake-0.1", Map.of("cam0", "colour-1.0.0"), "seed-" + o.get("--seed"))));
        birth.setQos(1);
        birth.setRetained(true);
        client.publish(Topic.of(site, line, device, Kind.STATUS).toString(), birth);
        final String[] classes = {"plastic_film", "polypropylene_twine", "straw"};
        for (int i = 0; i < events; i++) {
            final RejectEvent e = new RejectEvent(line + "-" + pid + "-" + i, Instant.now(), "cam0",
                    classes[i % classes.length], 0.9, 1000.0 * i, 300, 12, 30, List.of(4, 5), 18, false,
                    "colour-1.0.0", "lot-1", null);
            final MqttMessage m = new MqttMessage(WireCodec.encode(e));
            m.setQos(1);
            client.publish(Topic.of(site, line, device, Kind.REJECT).toString(), m);
        }
        System.out.println("fake agent " + line + ": published " + events + " rejections");
        System.out.flush();
        if (o.containsKey("--exit-after-ms")) {
            Thread.sleep(Long.parseLong(o.get("--exit-after-ms")));
            client.disconnect();
            client.close();
            System.exit(3);
        }
        if (o.containsKey("--forever")) {
            Thread.sleep(Long.MAX_VALUE);
        }
        client.disconnect();
        client.close();
    }
}
