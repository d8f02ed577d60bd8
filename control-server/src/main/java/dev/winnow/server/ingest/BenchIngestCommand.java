package dev.winnow.server.ingest;

import dev.winnow.protocol.Kind;
import dev.winnow.protocol.RejectEvent;
import dev.winnow.protocol.RejectPacker;
import dev.winnow.protocol.Schema;
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
import java.util.ArrayDeque;
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
 * event-to-store latency (event time, stamped when the device makes the event, to the stored batch's
 * receive time).
 *
 * <p>Each simulated device publishes the way the agent's uplink does: its inspection thread encodes each
 * event as a single {@code events/reject} payload into a pending queue (the agent's durable outbox, here in
 * memory: no fsync), and its sender thread packs whatever is waiting with the agent's own
 * {@link RejectPacker} (up to {@code --batch-events} events and 64 KiB, never waiting for more; a lone event
 * goes as the single message) and keeps up to {@code --window} messages in flight. A device makes events as
 * fast as it can while fewer than {@code --backlog} wait, so latency includes the device's queue.
 * JSON last line: events_per_s, p99_ms, sent, stored, lost, duplicates, messages, events_per_message.
 */
@Command(name = "bench-ingest", mixinStandardHelpOptions = true,
        description = "Measure sustained ingest: N devices over real MQTT, events stored per second, p99 latency.")
public final class BenchIngestCommand implements Callable<Integer> {

    @Option(names = "--devices", defaultValue = "8", description = "simulated devices (default ${DEFAULT-VALUE})")
    int devices;

    @Option(names = "--events", defaultValue = "200000", description = "events in total (default ${DEFAULT-VALUE})")
    int events;

    @Option(names = "--window", defaultValue = "32", description = "QoS 1 messages in flight per device (default ${DEFAULT-VALUE}, as the agent; capped by the broker's receive maximum)")
    int window;

    @Option(names = "--batch-events", defaultValue = "500", description = "most events packed into one message (default ${DEFAULT-VALUE}; 1 = one message per event, as agents before the batch)")
    int batchEvents;

    @Option(names = "--backlog", defaultValue = "2000", description = "most events waiting on one device before it pauses making more (default ${DEFAULT-VALUE})")
    int backlog;

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

    @Option(names = "--batch-size", defaultValue = "5000", description = "ingest transaction size in events, about (default ${DEFAULT-VALUE}, the server's default)")
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
        try {
            return measure(cfg, site, line, run);
        } finally {
            if (broker != null) {
                endIngestSessions(cfg.mqttClientId());
            }
        }
    }

    /**
     * The ingest keeps its broker sessions (7 days) to be redelivered what arrives while it is away; a bench
     * run's are never resumed (a new client id per run), yet an external broker would queue every later run's
     * events for them (without limit under {@code max_queued_messages 0}: Mosquitto grew to 4.2 GB after a
     * dozen runs, and spent CPU on those queues during the next runs).
     */
    private void endIngestSessions(final String clientId) {
        for (int i = 0; i < Ingest.MEMBER_KINDS.size(); i++) {
            try {
                final MqttAsyncClient c = new MqttAsyncClient(broker, Ingest.memberId(clientId, i),
                        new MemoryPersistence());
                final MqttConnectionOptions o = new MqttConnectionOptions();
                o.setCleanStart(true);
                o.setSessionExpiryInterval(0L);
                if (mqttUser != null) {
                    o.setUserName(mqttUser);
                    o.setPassword(mqttPassword.getBytes(StandardCharsets.UTF_8));
                }
                c.connect(o).waitForCompletion(15_000);
                c.disconnect(2_000).waitForCompletion(3_000);
                c.close();
            } catch (Exception e) {
                System.err.println("bench-ingest: could not end the ingest's broker session: " + e);
            }
        }
    }

    private Integer measure(final ServerConfig cfg, final String site, final String line, final String run)
            throws Exception {
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
            final AtomicLong messages = new AtomicLong();
            System.out.printf("bench-ingest: %d devices, %d events, broker %s, db %s%n", devices, events,
                    server.mqttUrl(), db == null ? "embedded H2" : db);
            final long t0 = System.nanoTime();
            final long cpu0 = processCpuNanos();
            final Thread[] threads = new Thread[devices];
            for (int d = 0; d < devices; d++) {
                final int dev = d;
                threads[d] = new Thread(() -> publishAll(clients.get(dev), windows.get(dev), site, line, "dev" + dev,
                        run, dev, acked, failed, messages), "bench-dev-" + d);
                threads[d].start();
            }
            for (Thread t : threads) {
                t.join();
            }
            final long published = System.nanoTime();
            // wait until every acknowledged event is stored, or until nothing has been stored for 30 s. Progress
            // comes from the ingest's counter (a COUNT(*) every 250 ms scanned the growing table and took a
            // third of the CPU while the ingest was storing); the stored figure itself is counted in SQL after.
            long progress = server.ingestCounters().stored();
            long progressAt = System.nanoTime();
            while (progress < acked.get() && System.nanoTime() - progressAt < 30_000_000_000L) {
                Thread.sleep(20);
                final long now = server.ingestCounters().stored();
                if (now > progress) {
                    progressAt = System.nanoTime();
                }
                progress = now;
            }
            final long t1 = System.nanoTime();
            final long stored = countLine(server, site, line);
            final long cpu = processCpuNanos() - cpu0;
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
            out.put("messages", messages.get());
            out.put("events_per_message", messages.get() == 0 ? 0 : Math.round(acked.get() * 10.0 / messages.get()) / 10.0);
            // CPU of this whole process (devices, broker, ingest, database) per stored event: less noisy than
            // wall-clock rates on a shared machine
            out.put("cpu_s", Math.round(cpu / 1e6) / 1000.0);
            out.put("cpu_us_per_event", stored == 0 ? 0 : Math.round(cpu / 1e2 / stored) / 10.0);
            out.put("load_average", Math.round(java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                    .getSystemLoadAverage() * 100) / 100.0);
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

    /**
     * One device: this thread makes the events (encoded as the agent's {@code Uplink.send} does) and a sender
     * thread publishes them as the agent's uplink does. Returns when every event is acknowledged or failed.
     */
    private void publishAll(final MqttAsyncClient c, final Semaphore win, final String site, final String line,
                            final String device, final String run, final int dev, final AtomicLong acked,
                            final AtomicLong failed, final AtomicLong messages) {
        final String single = Topic.of(site, line, device, Kind.REJECT).toString();
        final String batchTopic = Topic.of(site, line, device, Kind.REJECT_BATCH).toString();
        final int per = events / devices + (dev < events % devices ? 1 : 0);
        final ArrayDeque<byte[]> pending = new ArrayDeque<>();
        final AtomicLong done = new AtomicLong();
        final Thread sender = new Thread(() -> {
            int taken = 0;
            try {
                while (taken < per) {
                    final List<byte[]> waiting = new ArrayList<>();
                    synchronized (pending) {
                        while (pending.isEmpty()) {
                            pending.wait();
                        }
                        long bytes = 0;
                        for (byte[] p : pending) {
                            if (!waiting.isEmpty() && !RejectPacker.fits(waiting.size(), bytes, p.length, batchEvents,
                                    Schema.MAX_PAYLOAD_BYTES)) {
                                break;
                            }
                            waiting.add(p);
                            bytes += p.length;
                        }
                    }
                    final String topic;
                    final byte[] payload;
                    final int n;
                    if (waiting.size() == 1) {
                        topic = single;
                        payload = waiting.get(0);
                        n = 1;
                    } else {
                        final RejectPacker.Packed packed = RejectPacker.pack(waiting, batchEvents, Schema.MAX_PAYLOAD_BYTES);
                        topic = batchTopic;
                        payload = packed.payload();
                        n = packed.events();
                    }
                    synchronized (pending) {
                        for (int i = 0; i < n; i++) {
                            pending.poll();
                        }
                        pending.notifyAll();
                    }
                    taken += n;
                    final MqttMessage m = new MqttMessage(payload);
                    m.setQos(1);
                    win.acquire();
                    try {
                        c.publish(topic, m, null, new MqttActionListener() {
                            @Override
                            public void onSuccess(final IMqttToken token) {
                                acked.addAndGet(n);
                                messages.incrementAndGet();
                                done.addAndGet(n);
                                win.release();
                            }

                            @Override
                            public void onFailure(final IMqttToken token, final Throwable exception) {
                                failed.addAndGet(n);
                                done.addAndGet(n);
                                win.release();
                            }
                        });
                    } catch (Exception ex) {
                        failed.addAndGet(n);
                        done.addAndGet(n);
                        win.release();
                    }
                }
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }, "bench-sender-" + dev);
        sender.start();
        try {
            for (int i = 0; i < per; i++) {
                final RejectEvent e = new RejectEvent("bn-" + run + "-" + dev + "-" + i, Instant.now(), "cam0", "straw",
                        0.91, 12_345.5, 410, 12, 30, List.of(7, 8), 18, false, "colour-1.0.0", "lot-1", null);
                final byte[] payload = WireCodec.encode(e);
                synchronized (pending) {
                    while (pending.size() >= backlog) {
                        pending.wait();
                    }
                    pending.add(payload);
                    pending.notifyAll();
                }
            }
            sender.join();
            while (done.get() < per) {
                Thread.sleep(5);
            }
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    private static long processCpuNanos() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : 0;
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
