package dev.winnow.server.broker;

import com.hivemq.embedded.EmbeddedHiveMQ;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MQTT broker inside the control server: HiveMQ Community Edition, embedded, one TCP listener.
 * Its configuration, data and extensions live under {@code {dataDir}/broker}. Started without
 * HiveMQ's logback bootstrap, so it logs through our slf4j binding like everything else.
 */
public final class EmbeddedBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);
    private static final long START_TIMEOUT_S = 60;
    /** Messages the broker keeps per client (and per shared subscription) while it is offline or behind. */
    static final long MAX_QUEUE_SIZE = Long.getLong("winnow.broker.max-queue", 50_000_000L);
    static final int SERVER_RECEIVE_MAXIMUM = 1024;

    private final String host;
    private final int port;
    private final EmbeddedHiveMQ hivemq;
    private volatile boolean running;
    private int tlsPort = -1;

    private EmbeddedBroker(final String host, final int port, final EmbeddedHiveMQ hivemq) {
        this.host = host;
        this.port = port;
        this.hivemq = hivemq;
    }

    /**
     * Starts the broker and returns once it accepts connections.
     *
     * @param port 0 picks a free port
     */
    public static EmbeddedBroker start(final Path dataDir, final String host, final int port) {
        return start(dataDir, host, port, null, null);
    }

    /**
     * A TLS listener beside the plain one.
     *
     * @param port     0 picks a free port
     * @param keystore PKCS#12 or JKS with the broker's key and certificate chain
     * @param password the store's password, also the key's
     */
    public record TlsListener(int port, Path keystore, String password) {
    }

    /**
     * Starts the broker with an optional gatekeeper extension (authentication and topic ACLs) and an
     * optional TLS listener, and returns once it accepts connections.
     *
     * @param extension nullable: e.g. {@code BrokerAuth.extension()}; without one every client may do anything
     * @param tls       nullable
     */
    public static EmbeddedBroker start(final Path dataDir, final String host, final int port,
                                       final com.hivemq.embedded.EmbeddedExtension extension, final TlsListener tls) {
        final int actualPort = port == 0 ? Ports.free(host) : port;
        final int tlsPort = tls == null ? -1 : tls.port() == 0 ? Ports.free(host) : tls.port();
        final Path root = dataDir.resolve("broker");
        final Path conf = root.resolve("conf");
        final Path data = root.resolve("data");
        final Path extensions = root.resolve("extensions");
        try {
            Files.createDirectories(conf);
            Files.createDirectories(data);
            Files.createDirectories(extensions);
            Files.writeString(conf.resolve("config.xml"), configXml(host, actualPort, tls == null ? null
                    : new TlsListener(tlsPort, tls.keystore().toAbsolutePath(), tls.password())));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the broker folder " + root, e);
        }
        final com.hivemq.embedded.EmbeddedHiveMQBuilder builder = EmbeddedHiveMQ.builder()
                .withConfigurationFolder(conf)
                .withDataFolder(data)
                .withExtensionsFolder(extensions)
                .withoutLoggingBootstrap();
        if (extension != null) {
            builder.withEmbeddedExtension(extension);
        }
        final EmbeddedHiveMQ hivemq = builder.build();
        final EmbeddedBroker broker = new EmbeddedBroker(host, actualPort, hivemq);
        broker.tlsPort = tlsPort;
        try {
            hivemq.start().get(START_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            broker.close();
            throw new IllegalStateException("interrupted while starting the MQTT broker", e);
        } catch (ExecutionException | TimeoutException e) {
            broker.close();
            final Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("the embedded MQTT broker did not start on " + host + ":" + actualPort
                    + ": " + cause, cause);
        }
        broker.running = true;
        LOG.info("MQTT broker listening on {}", broker.url());
        return broker;
    }

    static String configXml(final String host, final int port) {
        return configXml(host, port, null);
    }

    static String configXml(final String host, final int port, final TlsListener tls) {
        final String tlsXml = tls == null ? "" : """
                        <tls-tcp-listener>
                            <port>%d</port>
                            <bind-address>%s</bind-address>
                            <tls>
                                <keystore>
                                    <path>%s</path>
                                    <password>%s</password>
                                    <private-key-password>%s</private-key-password>
                                </keystore>
                            </tls>
                        </tls-tcp-listener>
                """.formatted(tls.port(), xmlEscape(host), xmlEscape(tls.keystore().toString()),
                xmlEscape(tls.password() == null ? "" : tls.password()),
                xmlEscape(tls.password() == null ? "" : tls.password()));
        return """
                <?xml version="1.0"?>
                <hivemq>
                    <listeners>
                        <tcp-listener>
                            <port>%d</port>
                            <bind-address>%s</bind-address>
                        </tcp-listener>
                %s
                    </listeners>
                    <mqtt>
                        <queued-messages>
                            <!-- HiveMQ's default (1,000 per client, the excess discarded while the sender still
                                 gets its PUBACK) silently lost events whenever the ingest fell behind a burst or
                                 was offline. The queue lives in the broker's disk persistence; the cap only
                                 guards against a runaway client. -->
                            <max-queue-size>%d</max-queue-size>
                            <strategy>discard</strategy>
                        </queued-messages>
                        <receive-maximum>
                            <!-- unacknowledged QoS 1 publishes a client may have in flight to the broker
                                 (default 10) -->
                            <server-receive-maximum>%d</server-receive-maximum>
                        </receive-maximum>
                    </mqtt>
                    <anonymous-usage-statistics>
                        <enabled>false</enabled>
                    </anonymous-usage-statistics>
                </hivemq>
                """.formatted(port, xmlEscape(host), tlsXml, MAX_QUEUE_SIZE, SERVER_RECEIVE_MAXIMUM);
    }

    private static String xmlEscape(final String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    public int port() {
        return port;
    }

    /** The TLS listener's port, or -1. */
    public int tlsPort() {
        return tlsPort;
    }

    /** {@code ssl://host:tlsPort}, or null without a TLS listener. */
    public String tlsUrl() {
        return tlsPort < 0 ? null : "ssl://" + (host.equals("0.0.0.0") ? "127.0.0.1" : host) + ":" + tlsPort;
    }

    public String url() {
        final String h = host.equals("0.0.0.0") ? "127.0.0.1" : host;
        return "tcp://" + h + ":" + port;
    }

    /** True while the broker is started and its listener accepts a TCP connection. */
    public boolean isUp() {
        if (!running) {
            return false;
        }
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host.equals("0.0.0.0") ? "127.0.0.1" : host, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        running = false;
        final long t0 = System.nanoTime();
        try {
            hivemq.stop().get(30, TimeUnit.SECONDS);
            LOG.debug("broker stop() took {} ms", (System.nanoTime() - t0) / 1_000_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("the MQTT broker did not stop cleanly: {}", e.toString());
        }
        try {
            hivemq.close();
        } catch (Exception e) {
            LOG.debug("closing the broker", e);
        }
    }
}
