package dev.winnow.server.ingest;

import dev.winnow.protocol.Kind;
import dev.winnow.protocol.RejectEvent;
import dev.winnow.protocol.Topic;
import dev.winnow.protocol.WireCodec;
import dev.winnow.server.WinnowServer;
import dev.winnow.server.auth.Credentials;
import dev.winnow.server.config.SecurityConfig;
import dev.winnow.server.config.ServerConfig;
import dev.winnow.server.line.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code winnow-server bench-ingest}: N simulated devices publish reject events (QoS 1) over real MQTT on
 * loopback to a real server (embedded broker with device authentication and H2 by default; an external
 * broker and database by URL) and it measures, end to end, events stored per second, and the p99 of
 * publish-to-store latency (event time, stamped at publish, to the stored batch's receive time).
 * JSON last line: events_per_s, p99_ms, sent, stored, lost, duplicates.
 */
@Command(name = "bench-ingest", mixinStandardHelpOptions = true,
        description = "Measure sustained ingest: N devices over real MQTT, events stored per second, p99 latency.")
public final class BenchIngestCommand implements Callable<Integer> {

    @Option(names = "--devices", defaultValue = "8", description = "simulated devices (default ${DEFAULT-VALUE})")
    int devices;

    @Option(names = "--events", defaultValue = "200000", description = "events in total (default ${DEFAULT-VALUE})")
    int events;

    @Option(names = "--window", defaultValue = "64", description = "QoS 1 messages in flight per device (default ${DEFAULT-VALUE}; capped by the broker's receive maximum)")
    int window;

    @Option(names = "--broker", paramLabel = "URL", description = "external broker (default: the embedded one)")
    String broker;

    @Option(names = "--mqtt-username", description = "for an external broker: user for devices and ingest (a service account)")
    String mqttUser;

    @Option(names = "--mqtt-password")
    String mqttPassword;

    @Option(names = "--db", paramLabel = "JDBC", description = "database (default: embedded H2 in a temporary folder)")
    String db;

    @Option(names = "--db-user")
    String dbUser;

    @Option(names = "--db-password")
    String dbPassword;

    @Option(names = "--batch-size", defaultValue = "1000", description = "ingest batch size (default ${DEFAULT-VALUE})")
    int batchSize;

    @Override
    public Integer call() throws Exception {
        final Path data = Files.createTempDirectory("winnow-bench");
        ServerConfig cfg = ServerConfig.ephemeral(data).withIngestBatch(batchSize, 20)
                .withMqttClientId("winnow-bench-ingest-" + System.nanoTime())
                .withSecurity(broker == null ? SecurityConfig.production()
                        : SecurityConfig.none().withMqttCredentials(mqttUser, mqttPassword));
        if (broker != null) {
            cfg = cfg.withMqttUrl(broker);
        }
        if (db != null) {
            cfg = cfg.withDb(db, dbUser, dbPassword);
        }
        final String run = Long.toString(System.currentTimeMillis(), 36);
        final String site = "bench";
        final String line = "b" + run;
        try (WinnowServer server = WinnowServer.start(cfg)) {
            final List<MqttAsyncClient> clients = new ArrayList<>();
            final List<Semaphore> windows = new ArrayList<>();
            for (int d = 0; d < devices; d++) {
                final String device = "dev" + d;
                final MqttAsyncClient c = new MqttAsyncClient(server.mqttUrl(), "winnow-bench-" + run + "-" + d,
                        new MemoryPersistence());
                final MqttConnectionOptions o = new MqttConnectionOptions();
                o.setCleanStart(true);
                o.setSocketFactory(dev.winnow.protocol.NoDelaySockets.plain());
                if (broker == null) {
                    final Credentials cred = server.devices().enrol(site, line, device);
                    o.setUserName(cred.username());
                    o.setPassword(cred.password().getBytes(StandardCharsets.UTF_8));
                } else if (mqttUser != null) {
                    o.setUserName(mqttUser);
                    o.setPassword(mqttPassword.getBytes(StandardCharsets.UTF_8));
                }
                final IMqttToken t = c.connect(o);
                t.waitForCompletion(15_000);
                final Integer rm = t.getResponseProperties() == null ? null
                        : t.getResponseProperties().getReceiveMaximum();
                windows.add(new Semaphore(Math.max(1, Math.min(window, rm == null ? window : rm))));
                clients.add(c);
            }
            final AtomicLong acked = new AtomicLong();
            final AtomicLong failed = new AtomicLong();
            System.out.printf("bench-ingest: %d devices, %d events, broker %s, db %s%n", devices, events,
                    server.mqttUrl(), db == null ? "embedded H2" : db);
            final long t0 = System.nanoTime();
            final Thread[] threads = new Thread[devices];
            for (int d = 0; d < devices; d++) {
                final int dev = d;
                threads[d] = new Thread(() -> publishAll(clients.get(dev), windows.get(dev), site, line, "dev" + dev,
                        run, dev, acked, failed), "bench-dev-" + d);
                threads[d].start();
            }
            for (Thread t : threads) {
                t.join();
            }
            final long published = System.nanoTime();
            // wait until every acknowledged event is stored, or until nothing has been stored for 30 s
            long stored = countLine(server, site, line);
            long progressAt = System.nanoTime();
            while (stored < acked.get() && System.nanoTime() - progressAt < 30_000_000_000L) {
                Thread.sleep(250);
                final long now = countLine(server, site, line);
                if (now > stored) {
                    progressAt = System.nanoTime();
                }
                stored = now;
            }
            final long t1 = System.nanoTime();
            final double seconds = (t1 - t0) / 1e9;
            final double[] lat = latencies(server, site, line);
            for (MqttAsyncClient c : clients) {
                try {
                    c.disconnect().waitForCompletion(2_000);
                    c.close();
                } catch (Exception e) {
                    // closing
                }
            }
            final Map<String, Object> out = new LinkedHashMap<>();
            out.put("devices", devices);
            out.put("broker", broker == null ? "embedded" : broker);
            out.put("db", db == null ? "embedded-h2" : db.replaceAll("password=[^&;]*", "password=***"));
            out.put("seconds", Math.round(seconds * 1000) / 1000.0);
            out.put("publish_seconds", Math.round((published - t0) / 1e6) / 1000.0);
            out.put("events_per_s", Math.round(stored / seconds));
            out.put("p50_ms", Math.round(lat[0] * 10) / 10.0);
            out.put("p99_ms", Math.round(lat[1] * 10) / 10.0);
            out.put("sent", events);
            out.put("acked", acked.get());
            out.put("publish_failures", failed.get());
            out.put("stored", stored);
            out.put("lost", Math.max(0, acked.get() - stored));
            out.put("duplicates", (long) lat[2]);
            out.put("redeliveries_deduplicated", server.ingestCounters().duplicates());
            out.put("batches", server.ingestCounters().batches());
            out.put("batch_sizes", server.ingestCounters().batchSizeHistogram());
            out.put("commit_ms_mean", Math.round(server.ingestCounters().meanCommitMs() * 100) / 100.0);
            out.put("commit_ms_max", Math.round(server.ingestCounters().maxCommitMs() * 10) / 10.0);
            System.out.printf("bench-ingest: %d stored in %.2f s = %d events/s, p99 %.1f ms, lost %d%n", stored,
                    seconds, Math.round(stored / seconds), lat[1], Math.max(0, acked.get() - stored));
            System.out.println(Json.write(out));
            return stored == acked.get() && acked.get() == events ? 0 : 1;
        }
    }

    private void publishAll(final MqttAsyncClient c, final Semaphore win, final String site, final String line,
                            final String device, final String run, final int dev, final AtomicLong acked,
                            final AtomicLong failed) {
        final String topic = Topic.of(site, line, device, Kind.REJECT).toString();
        final int per = events / devices + (dev < events % devices ? 1 : 0);
        final MqttActionListener listener = new MqttActionListener() {
            @Override
            public void onSuccess(final IMqttToken token) {
                acked.incrementAndGet();
                win.release();
            }

            @Override
            public void onFailure(final IMqttToken token, final Throwable exception) {
                failed.incrementAndGet();
                win.release();
            }
        };
        for (int i = 0; i < per; i++) {
            final RejectEvent e = new RejectEvent("bn-" + run + "-" + dev + "-" + i, Instant.now(), "cam0", "straw",
                    0.91, 12_345.5, 410, 12, 30, List.of(7, 8), 18, false, "colour-1.0.0", "lot-1", null);
            final MqttMessage m = new MqttMessage(WireCodec.encode(e));
            m.setQos(1);
            try {
                win.acquire();
                c.publish(topic, m, null, listener);
            } catch (Exception ex) {
                failed.incrementAndGet();
                win.release();
            }
        }
        try {
            win.acquire(win.availablePermits() == 0 ? 1 : 1);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    private static long countLine(final WinnowServer server, final String site, final String line)
            throws Exception {
        try (Connection c = server.store().database().connection(); PreparedStatement ps = c.prepareStatement(
                "SELECT COUNT(*) FROM reject_events WHERE site = ? AND line = ?")) {
            ps.setString(1, site);
            ps.setString(2, line);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** p50, p99 of received_at - event_time in ms, and stored duplicates (count - distinct). */
    private static double[] latencies(final WinnowServer server, final String site, final String line)
            throws Exception {
        final List<Double> ms = new ArrayList<>();
        long count = 0;
        try (Connection c = server.store().database().connection(); PreparedStatement ps = c.prepareStatement(
                "SELECT event_time, received_at FROM reject_events WHERE site = ? AND line = ?")) {
            ps.setString(1, site);
            ps.setString(2, line);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    final OffsetDateTime a = rs.getObject(1, OffsetDateTime.class);
                    final OffsetDateTime b = rs.getObject(2, OffsetDateTime.class);
                    ms.add((b.toInstant().toEpochMilli() - a.toInstant().toEpochMilli())
                            + (b.getNano() % 1_000_000 - a.getNano() % 1_000_000) / 1e6);
                    count++;
                }
            }
        }
        long distinct;
        try (Connection c = server.store().database().connection(); PreparedStatement ps = c.prepareStatement(
                "SELECT COUNT(DISTINCT id) FROM reject_events WHERE site = ? AND line = ?")) {
            ps.setString(1, site);
            ps.setString(2, line);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                distinct = rs.getLong(1);
            }
        }
        final double[] a = ms.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        if (a.length == 0) {
            return new double[] {0, 0, count - distinct};
        }
        return new double[] {a[(int) (a.length * 0.5)], a[Math.min(a.length - 1, (int) (a.length * 0.99))],
                count - distinct};
    }
}
