package dev.winnow.server.external;

import dev.winnow.server.auth.Credentials;
import dev.winnow.server.auth.DeviceRegistry;
import dev.winnow.server.auth.MosquittoFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;

/**
 * A real Mosquitto broker as a child process on a free loopback port, configured the way the control
 * server's README tells an operator to: no anonymous clients, the password and ACL files written by the
 * server's own {@link MosquittoFiles} (what {@code winnow-server mosquitto-files} runs), persistence on.
 * It can be stopped and started again on the same port and state (a broker outage), and told to reread
 * its files with SIGHUP after an enrolment.
 *
 * <p>Run as root, Mosquitto drops to the {@code mosquitto} system user before it reads the password file
 * and writes its persistence file, so the folder and every regenerated file are given to that user
 * ({@link MosquittoFiles} writes them owner-only, owned by whoever wrote them, i.e. root).
 */
public final class Mosquitto implements AutoCloseable {

    private static final String SYSTEM_USER = "mosquitto";
    private static final AtomicInteger PROBES = new AtomicInteger();

    private final Path binary;
    private final Path dir;
    private final Path conf;
    private final Path log;
    private final int port;
    private Process process;
    private Thread reaper;

    private Mosquitto(final Path binary, final Path dir, final int port) {
        this.binary = binary;
        this.dir = dir;
        this.conf = dir.resolve("mosquitto.conf");
        this.log = dir.resolve("mosquitto.log");
        this.port = port;
    }

    /** The mosquitto executable; skips or fails the test when there is none. */
    public static Path binary() {
        final List<Path> candidates = new ArrayList<>();
        final String env = System.getenv("WINNOW_MOSQUITTO");
        if (env != null && !env.isBlank()) {
            candidates.add(Path.of(env));
        }
        candidates.add(Path.of("/usr/sbin/mosquitto"));
        External.onPath("mosquitto").ifPresent(candidates::add);
        return External.binary("Mosquitto", candidates);
    }

    /**
     * Writes the files for the registry's active credentials (the server's ingest service account must
     * be among them) and starts the broker; returns once it listens.
     */
    public static Mosquitto start(final DeviceRegistry registry) throws IOException, InterruptedException {
        final Path bin = binary();
        final Path dir = Files.createTempDirectory("winnow-mosquitto-");
        final Mosquitto m = new Mosquitto(bin, dir, External.freePort());
        try {
            m.writeFiles(registry);
            Files.writeString(m.conf, String.join("\n", m.configLines()) + "\n");
            Files.writeString(m.log, "");
            m.start();
            return m;
        } catch (IOException | InterruptedException | RuntimeException e) {
            m.close();
            throw e;
        }
    }

    private List<String> configLines() {
        return List.of(
                "listener " + port + " 127.0.0.1",
                "allow_anonymous false",
                "password_file " + dir.resolve("passwd"),
                "acl_file " + dir.resolve("acl"),
                // the ingest's persistent session, its queued messages and the devices' sessions survive the
                // broker's own restart (written on a clean stop)
                "persistence true",
                "persistence_location " + dir + "/",
                "max_inflight_messages 100",
                // the default (1000) drops QoS 1 messages queued for one client beyond it, after the sender's
                // PUBACK: after an outage the agents reconnect before the ingest (still in its backoff) and
                // flood their outboxes into its kept session. With the default, the outage scenario stored
                // 5,102 of 10,000 events ("Outgoing messages are being dropped for client winnow-server-1")
                "max_queued_messages 0",
                "log_dest stderr",
                "log_type error",
                "log_type warning",
                "log_type notice",
                "log_type information",
                "connection_messages true",
                "log_timestamp_format %H:%M:%S");
    }

    /** Regenerates the password and ACL files from the registry (does not tell the broker: {@link #reload}). */
    public void writeFiles(final DeviceRegistry registry) throws IOException {
        final MosquittoFiles.Written w = MosquittoFiles.write(registry, dir);
        if (External.root()) {
            External.chown(dir, SYSTEM_USER);
            External.chown(w.passwordFile(), SYSTEM_USER);
            External.chown(w.aclFile(), SYSTEM_USER);
        }
    }

    /**
     * SIGHUP: Mosquitto rereads the password and ACL files. Returns once {@code probe} (a newly enrolled
     * client) can log in, because the reload happens asynchronously in the broker's loop.
     */
    public void reload(final Credentials probe) throws IOException, InterruptedException {
        External.signal(process, "HUP");
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        MqttException last = null;
        while (System.nanoTime() < deadline) {
            try {
                final MqttClient c = new MqttClient(url(), "winnow-probe-" + PROBES.incrementAndGet(),
                        new MemoryPersistence());
                final MqttConnectionOptions o = new MqttConnectionOptions();
                o.setUserName(probe.username());
                o.setPassword(probe.password().getBytes(StandardCharsets.UTF_8));
                o.setConnectionTimeout(5);
                try {
                    c.connect(o);
                    c.disconnect();
                    return;
                } finally {
                    c.close(true);
                }
            } catch (MqttException e) {
                last = e;
                Thread.sleep(100);
            }
        }
        throw new IOException("after SIGHUP " + probe.username() + " still cannot log in to Mosquitto: " + last
                + "\n" + External.tail(log));
    }

    /** {@link #writeFiles} then {@link #reload}: what an operator does after {@code winnow-server enrol}. */
    public void refresh(final DeviceRegistry registry, final Credentials probe)
            throws IOException, InterruptedException {
        writeFiles(registry);
        reload(probe);
    }

    /** Starts the broker (again) on the same port, configuration and persistence; returns once it listens. */
    public synchronized void start() throws IOException, InterruptedException {
        if (running()) {
            throw new IllegalStateException("Mosquitto is already running");
        }
        Files.writeString(log, "--- start\n", java.nio.file.StandardOpenOption.APPEND);
        // no -d: it stays our child, and its pid is the one we signal
        process = new ProcessBuilder(binary.toString(), "-c", conf.toString()).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        final Process p = process;
        reaper = new Thread(p::destroyForcibly, "mosquitto-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
        External.awaitPort("mosquitto", port, p, log, 30);
    }

    /** A clean stop (SIGTERM: Mosquitto writes its persistence file and exits); the port goes dark. */
    public synchronized void stop() throws InterruptedException {
        if (process == null) {
            return;
        }
        External.stop(process, "TERM", 30);
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
        process = null;
    }

    public synchronized boolean running() {
        return process != null && process.isAlive();
    }

    /** {@code tcp://127.0.0.1:port}: where devices and the server's ingest connect. */
    public String url() {
        return "tcp://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** The broker's log (all runs), for failure messages. */
    public String logTail() {
        return External.tail(log);
    }

    @Override
    public void close() throws InterruptedException {
        stop();
        External.deleteTree(dir);
    }
}
