package dev.winnow.server.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Everything the control server needs to start. Immutable; change one value with the
 * {@code withX} methods. Validated on construction: a bad value fails with a {@link ConfigException}
 * naming its key.
 *
 * @param dataDir            where the embedded database and the embedded broker keep their files
 * @param httpHost           address the web server binds to
 * @param httpPort           web port; 0 picks a free one
 * @param mqttHost           address the embedded broker binds to (ignored with {@code mqttUrl})
 * @param mqttPort           embedded broker port; 0 picks a free one (ignored with {@code mqttUrl})
 * @param mqttUrl            nullable: an external broker, e.g. {@code tcp://broker:1883}; then no broker is embedded
 * @param mqttClientId       the ingest client's id; its MQTT session survives restarts
 * @param dbUrl              nullable: a JDBC URL (PostgreSQL in production); null means embedded H2 in {@code dataDir}
 * @param dbUser             nullable database user
 * @param dbPassword         nullable database password
 * @param ingestBatchSize    events (rows) stored in one transaction, about: a batch message is never split
 * @param ingestBatchWindowMs longest a message waits for its batch to fill, ms
 * @param security           authentication and TLS ({@link SecurityConfig#none()} unless configured)
 * @param web                web logins and role enforcement ({@code WebAuth.off()} unless configured)
 * @param publicUrl          nullable: the address devices reach the server at, e.g. {@code https://winnow.mill.lan/}
 *                           (model downloads, snapshot uploads); null: derived from the bind address
 */
public record ServerConfig(Path dataDir, String httpHost, int httpPort, String mqttHost, int mqttPort, String mqttUrl,
                           String mqttClientId, String dbUrl, String dbUser, String dbPassword, int ingestBatchSize,
                           int ingestBatchWindowMs, SecurityConfig security,
                           dev.winnow.server.users.WebAuth web, String publicUrl) {

    public static final int DEFAULT_HTTP_PORT = 8080;
    public static final int DEFAULT_MQTT_PORT = 1883;

    public ServerConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        requireText("http.host", httpHost);
        requirePort("http.port", httpPort);
        requireText("mqtt.host", mqttHost);
        requirePort("mqtt.port", mqttPort);
        if (mqttUrl != null && !(mqttUrl.startsWith("tcp://") || mqttUrl.startsWith("ssl://")
                || mqttUrl.startsWith("ws://") || mqttUrl.startsWith("wss://"))) {
            throw new ConfigException("mqtt.url", "'" + mqttUrl + "' must start with tcp://, ssl://, ws:// or wss://");
        }
        requireText("mqtt.client-id", mqttClientId);
        if (dbUrl != null && !dbUrl.startsWith("jdbc:")) {
            throw new ConfigException("db.url", "'" + dbUrl + "' must be a JDBC URL starting with jdbc:");
        }
        requireRange("ingest.batch-size", ingestBatchSize, 1, 10_000);
        requireRange("ingest.batch-window-ms", ingestBatchWindowMs, 1, 10_000);
        Objects.requireNonNull(security, "security");
        Objects.requireNonNull(web, "web");
        if (publicUrl != null && !publicUrl.matches("https?://[^\\s/]+(:\\d+)?(/\\S*)?")) {
            throw new ConfigException("http.public-url", "'" + publicUrl + "' must be an http:// or https:// address, "
                    + "e.g. https://winnow.mill.lan/");
        }
    }

    /** As before web login settings existed: {@link dev.winnow.server.users.WebAuth#off()}. */
    public ServerConfig(final Path dataDir, final String httpHost, final int httpPort, final String mqttHost,
                        final int mqttPort, final String mqttUrl, final String mqttClientId, final String dbUrl,
                        final String dbUser, final String dbPassword, final int ingestBatchSize,
                        final int ingestBatchWindowMs, final SecurityConfig security) {
        this(dataDir, httpHost, httpPort, mqttHost, mqttPort, mqttUrl, mqttClientId, dbUrl, dbUser, dbPassword,
                ingestBatchSize, ingestBatchWindowMs, security, dev.winnow.server.users.WebAuth.off(), null);
    }

    /** Where devices reach the server (behind a proxy, or bound to 0.0.0.0); a trailing slash is added. */
    public ServerConfig withPublicUrl(final String v) {
        final String u = v == null || v.isBlank() ? null : v.strip().endsWith("/") ? v.strip() : v.strip() + "/";
        return new ServerConfig(dataDir, httpHost, httpPort, mqttHost, mqttPort, mqttUrl, mqttClientId, dbUrl, dbUser,
                dbPassword, ingestBatchSize, ingestBatchWindowMs, security, web, u);
    }

    /** Web logins, roles and sessions ({@link dev.winnow.server.users.WebAuth#off()} for tests and tools). */
    public ServerConfig withWebAuth(final dev.winnow.server.users.WebAuth v) {
        return new ServerConfig(dataDir, httpHost, httpPort, mqttHost, mqttPort, mqttUrl, mqttClientId, dbUrl, dbUser,
                dbPassword, ingestBatchSize, ingestBatchWindowMs, security, v, publicUrl);
    }

    /** Turns role enforcement on every page and API route on or off (off in {@link #ephemeral(Path)}). */
    public ServerConfig withAuthEnforced(final boolean enforced) {
        return withWebAuth(web.withEnforced(enforced));
    }

    /** As before security settings existed: {@link SecurityConfig#none()}. */
    public ServerConfig(final Path dataDir, final String httpHost, final int httpPort, final String mqttHost,
                        final int mqttPort, final String mqttUrl, final String mqttClientId, final String dbUrl,
                        final String dbUser, final String dbPassword, final int ingestBatchSize,
                        final int ingestBatchWindowMs) {
        this(dataDir, httpHost, httpPort, mqttHost, mqttPort, mqttUrl, mqttClientId, dbUrl, dbUser, dbPassword,
                ingestBatchSize, ingestBatchWindowMs, SecurityConfig.none());
    }

    public ServerConfig withSecurity(final SecurityConfig v) {
        return new ServerConfig(dataDir, httpHost, httpPort, mqttHost, mqttPort, mqttUrl, mqttClientId, dbUrl, dbUser,
                dbPassword, ingestBatchSize, ingestBatchWindowMs, v, web, publicUrl);
    }

    /**
     * Defaults: data in {@code ./winnow-data}, web on 127.0.0.1:8080, embedded broker on 127.0.0.1:1883, H2;
     * web logins and roles enforced.
     */
    public static ServerConfig defaults() {
        return new ServerConfig(Path.of("winnow-data"), "127.0.0.1", DEFAULT_HTTP_PORT, "127.0.0.1", DEFAULT_MQTT_PORT,
                null, "winnow-server", null, null, null, 5_000, 50)
                .withWebAuth(dev.winnow.server.users.WebAuth.production());
    }

    /** Defaults for tests and tools: random free ports, data in {@code dataDir}, web roles not enforced. */
    public static ServerConfig ephemeral(final Path dataDir) {
        return defaults().withDataDir(dataDir).withHttpPort(0).withMqttPort(0).withAuthEnforced(false);
    }

    public boolean embeddedBroker() {
        return mqttUrl == null;
    }

    public ServerConfig withDataDir(final Path v) {
        return new ServerConfig(v, httpHost, httpPort, mqttHost, mqttPort, mqttUrl, mqttClientId, dbUrl, dbUser,
                dbPassword, ingestBatchSize, ingestBatchWindowMs, security, web, publicUrl);
    }

    public ServerConfig withHttpHost(final String v) {
        return new ServerConfig(dataDir, v, httpPort, mqttHost, mqttPort, mqttUrl, mqttClientId, dbUrl, dbUser,
                dbPassword, ingestBatchSize, ingestBatchWindowMs, security, web, publicUrl);
    }

    public ServerConfig withHttpPort(final int v) {
        return new ServerConfig(dataDir, httpHost, v, mqttHost, mqttPort, mqttUrl, mqttClientId, dbUrl, dbUser,
                dbPassword, ingestBatchSize, ingestBatchWindowMs, security, web, publicUrl);
    }

    public ServerConfig withMqttHost(final String v) {
        return new ServerConfig(dataDir, httpHost, httpPort, v, mqttPort, mqttUrl, mqttClientId, dbUrl, dbUser,
                dbPassword, ingestBatchSize, ingestBatchWindowMs, security, web, publicUrl);
    }

    public ServerConfig withMqttPort(final int v) {
        return new ServerConfig(dataDir, httpHost, httpPort, mqttHost, v, mqttUrl, mqttClientId, dbUrl, dbUser,
                dbPassword, ingestBatchSize, ingestBatchWindowMs, security, web, publicUrl);
    }

    public ServerConfig withMqttUrl(final String v) {
        return new ServerConfig(dataDir, httpHost, httpPort, mqttHost, mqttPort, v, mqttClientId, dbUrl, dbUser,
                dbPassword, ingestBatchSize, ingestBatchWindowMs, security, web, publicUrl);
    }

    public ServerConfig withMqttClientId(final String v) {
        return new ServerConfig(dataDir, httpHost, httpPort, mqttHost, mqttPort, mqttUrl, v, dbUrl, dbUser,
                dbPassword, ingestBatchSize, ingestBatchWindowMs, security, web, publicUrl);
    }

    public ServerConfig withDb(final String url, final String user, final String password) {
        return new ServerConfig(dataDir, httpHost, httpPort, mqttHost, mqttPort, mqttUrl, mqttClientId, url, user,
                password, ingestBatchSize, ingestBatchWindowMs, security, web, publicUrl);
    }

    public ServerConfig withIngestBatch(final int size, final int windowMs) {
        return new ServerConfig(dataDir, httpHost, httpPort, mqttHost, mqttPort, mqttUrl, mqttClientId, dbUrl, dbUser,
                dbPassword, size, windowMs, security, web, publicUrl);
    }

    @Override
    public String toString() {
        // never print the password
        return "ServerConfig[dataDir=" + dataDir + ", http=" + httpHost + ":" + httpPort + ", mqtt="
                + (mqttUrl != null ? mqttUrl : "embedded " + mqttHost + ":" + mqttPort) + ", db="
                + (dbUrl != null ? dbUrl : "embedded H2") + ", batch=" + ingestBatchSize + "/" + ingestBatchWindowMs
                + "ms, " + security + "]";
    }

    private static void requireText(final String key, final String v) {
        if (v == null || v.isBlank()) {
            throw new ConfigException(key, "must not be empty");
        }
    }

    private static void requirePort(final String key, final int v) {
        requireRange(key, v, 0, 65_535);
    }

    private static void requireRange(final String key, final int v, final int min, final int max) {
        if (v < min || v > max) {
            throw new ConfigException(key, v + " is out of range [" + min + ", " + max + "]");
        }
    }
}
