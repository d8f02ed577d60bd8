package dev.winnow.server;

import dev.winnow.server.broker.EmbeddedBroker;
import dev.winnow.server.config.ServerConfig;
import dev.winnow.server.ingest.Ingest;
import dev.winnow.server.ingest.IngestCounters;
import dev.winnow.server.line.LineWeb;
import dev.winnow.server.line.LiveHub;
import dev.winnow.server.store.Database;
import dev.winnow.server.store.EventStore;
import io.javalin.Javalin;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running control server: broker (embedded unless an external one is configured), store,
 * ingest and web. Wired by hand here, in start order; stopped in reverse.
 *
 * <pre>
 * try (WinnowServer server = WinnowServer.start(ServerConfig.ephemeral(dir))) {
 *     server.mqttUrl();   // tcp://127.0.0.1:41234
 *     server.httpUrl();   // http://127.0.0.1:41235/
 *     server.store().countRejections();
 * }
 * </pre>
 */
public final class WinnowServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WinnowServer.class);

    private final ServerConfig config;
    private final Deque<AutoCloseable> toClose = new ArrayDeque<>();
    private EmbeddedBroker broker;
    private dev.winnow.server.auth.DeviceRegistry devices;
    private dev.winnow.server.auth.BrokerAuth brokerAuth;
    private String mqttUrl;
    private Database database;
    private EventStore store;
    private LiveHub hub;
    private Ingest ingest;
    private final dev.winnow.server.fleet.DeviceClocks clocks = new dev.winnow.server.fleet.DeviceClocks();
    private Javalin web;
    private dev.winnow.server.api.ControlRoom controlRoom;
    private volatile boolean closed;

    private WinnowServer(final ServerConfig config) {
        this.config = config;
    }

    /** Starts everything and returns once the web server and the ingest are ready. */
    public static WinnowServer start(final ServerConfig config) {
        final WinnowServer s = new WinnowServer(config);
        try {
            s.startAll();
        } catch (RuntimeException | Error e) {
            s.close();
            throw e;
        }
        return s;
    }

    private void startAll() {
        final Clock clock = Clock.systemUTC();
        try {
            Files.createDirectories(config.dataDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data folder " + config.dataDir(), e);
        }
        final String dbUrl = config.dbUrl() != null ? config.dbUrl() : Database.embeddedUrl(config.dataDir());
        database = Database.open(dbUrl, config.dbUser(), config.dbPassword());
        toClose.push(database);
        store = new EventStore(database);

        devices = new dev.winnow.server.auth.DeviceRegistry(database);
        final dev.winnow.server.config.SecurityConfig sec = config.security();
        String ingestUser = sec.mqttUsername();
        String ingestPassword = sec.mqttPassword();
        javax.net.SocketFactory ingestSockets = null;
        if (config.embeddedBroker()) {
            if (sec.mqttAuth()) {
                brokerAuth = new dev.winnow.server.auth.BrokerAuth(devices);
                final dev.winnow.server.auth.Credentials own = devices.builtInService("winnow-server-ingest");
                ingestUser = own.username();
                ingestPassword = own.password();
            }
            final EmbeddedBroker.TlsListener tls = sec.mqttTlsPort() < 0 ? null
                    : new EmbeddedBroker.TlsListener(sec.mqttTlsPort(), sec.mqttTlsKeystore(),
                            sec.mqttTlsKeystorePassword());
            broker = EmbeddedBroker.start(config.dataDir(), config.mqttHost(), config.mqttPort(),
                    brokerAuth == null ? null : brokerAuth.extension(), tls);
            toClose.push(broker);
            mqttUrl = broker.url();
        } else {
            mqttUrl = config.mqttUrl();
            if (mqttUrl.startsWith("ssl://") && sec.mqttCa() != null) {
                ingestSockets = dev.winnow.server.auth.Tls.trusting(sec.mqttCa());
            }
        }

        hub = new LiveHub(store, clock);
        toClose.push(hub);
        // a clock alarm left raised by the previous run clears when the device's clock is read right again
        clocks.raisedBefore(new dev.winnow.server.fleet.FleetStore(database, store).activeAlarms(clock.instant())
                .stream().filter(a -> dev.winnow.server.fleet.DeviceClocks.CAUSE.equals(a.cause()))
                .map(a -> a.site() + "/" + a.line() + "/" + a.device()).toList());
        ingest = Ingest.start(mqttUrl, config.mqttClientId(), store, config.ingestBatchSize(),
                config.ingestBatchWindowMs(), hub::onStored, ingestUser, ingestPassword, ingestSockets, clocks);
        toClose.push(ingest);

        final LineWeb lineWeb = new LineWeb(store, hub, this::health, clock);
        web = lineWeb.create();
        controlRoom = dev.winnow.server.api.ControlRoom.install(web, this, clock);
        toClose.push(controlRoom);
        toClose.push(dev.winnow.server.report.Reports.install(web, store, clock));
        toClose.push(dev.winnow.server.design.DesignLab.register(web, database, clock, dev.winnow.server.llm.LlmProvider.fromEnvironment()));
        toClose.push(dev.winnow.server.desk.DeskWeb.register(web, database, clock, dev.winnow.server.llm.LlmProvider.fromEnvironment()));
        web.start(config.httpHost(), config.httpPort());
        toClose.push(web::stop);
    }

    private LineWeb.Health health() {
        final boolean brokerUp = broker != null ? broker.isUp() : ingest.isConnected();
        final boolean dbUp = database.isUp();
        final boolean ingestUp = ingest.isConnected();
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", brokerUp && dbUp && ingestUp ? "up" : "degraded");
        body.put("broker", Map.of("up", brokerUp, "embedded", broker != null, "url", mqttUrl));
        body.put("db", Map.of("up", dbUp, "embedded", config.dbUrl() == null));
        final Map<String, Object> in = new LinkedHashMap<>();
        in.put("connected", ingestUp);
        in.put("backlog", ingest.backlog());
        in.put("counters", ingest.counters().snapshot());
        body.put("ingest", in);
        if (brokerAuth != null) {
            body.put("auth", brokerAuth.counters().snapshot());
        }
        final boolean ok = brokerUp && dbUp && ingestUp;
        return new LineWeb.Health() {
            @Override
            public boolean ok() {
                return ok;
            }

            @Override
            public Object body() {
                return body;
            }
        };
    }

    public ServerConfig config() {
        return config;
    }

    public int httpPort() {
        return web.port();
    }

    /** The embedded broker's port, or -1 with an external broker. */
    public int mqttPort() {
        return broker != null ? broker.port() : -1;
    }

    /** Where devices connect, e.g. {@code tcp://127.0.0.1:1883}. */
    public String mqttUrl() {
        return mqttUrl;
    }

    /** The pages' address on this machine, e.g. {@code http://127.0.0.1:8080/} ({@code https} with TLS on). */
    public String httpUrl() {
        final String h = wildcard(config.httpHost()) ? "127.0.0.1" : config.httpHost();
        return scheme() + "://" + h + ":" + httpPort() + "/";
    }

    /**
     * Where devices reach the HTTP API (model downloads, snapshot uploads): {@code http.public-url} when set;
     * else the bind address, and when bound to all interfaces this host's name, never a loopback address that
     * a Pi on the line would take for itself.
     */
    public String deviceUrl() {
        if (config.publicUrl() != null) {
            return config.publicUrl();
        }
        if (!wildcard(config.httpHost())) {
            return httpUrl();
        }
        String host = hostName;
        if (host == null) {
            // the configured name, not a reverse DNS lookup (which can take seconds on a site without DNS);
            // looked up once, as every deploy and snapshot command asks
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.net.UnknownHostException e) {
                host = "127.0.0.1"; // no name to give: set http.public-url
            }
            hostName = host;
        }
        return scheme() + "://" + host + ":" + httpPort() + "/";
    }

    private volatile String hostName;

    private String scheme() {
        return config.security().httpTlsKeystore() != null ? "https" : "http";
    }

    private static boolean wildcard(final String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
    }

    /** Issued MQTT credentials: {@code devices().enrol(site, line, device)} returns a device's secret once. */
    public dev.winnow.server.auth.DeviceRegistry devices() {
        return devices;
    }

    /** The embedded broker's gatekeeper counters, or null without authentication. */
    public dev.winnow.server.auth.AuthCounters authCounters() {
        return brokerAuth == null ? null : brokerAuth.counters();
    }

    /** The embedded broker's TLS address ({@code ssl://host:port}), or null. */
    public String mqttTlsUrl() {
        return broker == null ? null : broker.tlsUrl();
    }

    public EventStore store() {
        return store;
    }

    public IngestCounters ingestCounters() {
        return ingest.counters();
    }

    /** Each device's clock as the server last read it from its stats. */
    public dev.winnow.server.fleet.DeviceClocks clocks() {
        return clocks;
    }

    public LiveHub liveHub() {
        return hub;
    }

    /**
     * Every HTTP route the web server has registered, as {@code "GET /api/lines/{site}/{line}/summary"}, read from
     * Javalin's router (SSE routes are GETs; before/after filters are left out). The API description is checked
     * against it.
     */
    public java.util.List<String> httpRoutes() {
        return web.unsafeConfig().pvt.internalRouter.allHttpHandlers().stream().map(e -> e.getEndpoint())
                .filter(e -> e.getMethod().isHttpMethod())
                .map(e -> e.getMethod().name() + " " + e.getPath()).distinct().sorted().toList();
    }

    /** Users, alarms, gallery, lots, fleet, model registry and rollouts (the control room). */
    public dev.winnow.server.api.ControlRoom controlRoom() {
        return controlRoom;
    }

    /** Stops the web server, drains the ingest, stops the broker and closes the database. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        while (!toClose.isEmpty()) {
            final AutoCloseable c = toClose.pop();
            final long t0 = System.nanoTime();
            try {
                c.close();
                LOG.debug("stopped {} in {} ms", c.getClass().getSimpleName(), (System.nanoTime() - t0) / 1_000_000);
            } catch (Exception e) {
                LOG.warn("while stopping: {}", e.toString());
            }
        }
    }
}
