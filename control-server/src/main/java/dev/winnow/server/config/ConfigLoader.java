package dev.winnow.server.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Reads {@code server.yaml} strictly: every key must be known, every value of the right type and
 * in range, or loading fails with a {@link ConfigException} naming the key. Example:
 *
 * <pre>
 * data: /var/lib/winnow
 * http: { host: 0.0.0.0, port: 8080, public-url: https://winnow.mill.lan/ }
 * mqtt: { host: 127.0.0.1, port: 1883 }        # or url: tcp://broker:1883
 * db:   { url: jdbc:postgresql://db/winnow, user: winnow, password: secret }
 * ingest: { batch-size: 500, batch-window-ms: 50 }
 * # security (see control-server/README.md): device authentication, ingest credentials, TLS
 * mqtt: { auth: true, username: winnow-server, password: ..., ca: ca.pem,
 *         tls: { port: 8883, keystore: broker.p12, keystore-password: ... } }
 * http: { tls: { keystore: web.p12, keystore-password: ... } }
 * </pre>
 */
public final class ConfigLoader {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** Each known dotted key and how it changes the config. */
    private static final Map<String, BiFunction<ServerConfig, JsonNode, ServerConfig>> KEYS = new LinkedHashMap<>();

    static {
        KEYS.put("data", (c, v) -> c.withDataDir(Path.of(text("data", v))));
        KEYS.put("http.host", (c, v) -> c.withHttpHost(text("http.host", v)));
        KEYS.put("http.public-url", (c, v) -> c.withPublicUrl(text("http.public-url", v)));
        KEYS.put("http.port", (c, v) -> c.withHttpPort(integer("http.port", v)));
        KEYS.put("mqtt.host", (c, v) -> c.withMqttHost(text("mqtt.host", v)));
        KEYS.put("mqtt.port", (c, v) -> c.withMqttPort(integer("mqtt.port", v)));
        KEYS.put("mqtt.url", (c, v) -> c.withMqttUrl(text("mqtt.url", v)));
        KEYS.put("mqtt.client-id", (c, v) -> c.withMqttClientId(text("mqtt.client-id", v)));
        KEYS.put("db.url", (c, v) -> c.withDb(text("db.url", v), c.dbUser(), c.dbPassword()));
        KEYS.put("db.user", (c, v) -> c.withDb(c.dbUrl(), text("db.user", v), c.dbPassword()));
        KEYS.put("db.password", (c, v) -> c.withDb(c.dbUrl(), c.dbUser(), text("db.password", v)));
        KEYS.put("ingest.batch-size", (c, v) -> c.withIngestBatch(integer("ingest.batch-size", v),
                c.ingestBatchWindowMs()));
        KEYS.put("ingest.batch-window-ms", (c, v) -> c.withIngestBatch(c.ingestBatchSize(),
                integer("ingest.batch-window-ms", v)));
    }

    static {
        KEYS.put("mqtt.auth", (c, v) -> c.withSecurity(c.security().withMqttAuth(bool("mqtt.auth", v))));
        KEYS.put("mqtt.username", (c, v) -> c.withSecurity(c.security().withMqttCredentials(text("mqtt.username", v),
                c.security().mqttPassword())));
        KEYS.put("mqtt.password", (c, v) -> c.withSecurity(c.security().withMqttCredentials(
                c.security().mqttUsername(), text("mqtt.password", v))));
        KEYS.put("mqtt.ca", (c, v) -> c.withSecurity(c.security().withMqttCa(Path.of(text("mqtt.ca", v)))));
        KEYS.put("mqtt.tls.port", (c, v) -> c.withSecurity(c.security().withMqttTls(integer("mqtt.tls.port", v),
                c.security().mqttTlsKeystore(), c.security().mqttTlsKeystorePassword())));
        KEYS.put("mqtt.tls.keystore", (c, v) -> c.withSecurity(c.security().withMqttTls(c.security().mqttTlsPort(),
                Path.of(text("mqtt.tls.keystore", v)), c.security().mqttTlsKeystorePassword())));
        KEYS.put("mqtt.tls.keystore-password", (c, v) -> c.withSecurity(c.security().withMqttTls(
                c.security().mqttTlsPort(), c.security().mqttTlsKeystore(), text("mqtt.tls.keystore-password", v))));
        KEYS.put("http.tls.keystore", (c, v) -> c.withSecurity(c.security().withHttpTls(
                Path.of(text("http.tls.keystore", v)), c.security().httpTlsKeystorePassword())));
        KEYS.put("http.tls.keystore-password", (c, v) -> c.withSecurity(c.security().withHttpTls(
                c.security().httpTlsKeystore(), text("http.tls.keystore-password", v))));
    }

    private static boolean bool(final String key, final JsonNode v) {
        if (!v.isBoolean()) {
            throw new ConfigException(key, "expected true or false, got " + describe(v));
        }
        return v.booleanValue();
    }

    private ConfigLoader() {
    }

    public static List<String> knownKeys() {
        return List.copyOf(KEYS.keySet());
    }

    /** Applies the file over {@code base}. */
    public static ServerConfig load(final Path file, final ServerConfig base) {
        final String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(null, "cannot read config file " + file + ": " + e.getMessage());
        }
        try {
            return parse(text, base);
        } catch (ConfigException e) {
            throw new ConfigException(e.key(), file + ": " + e.getMessage());
        }
    }

    /** Applies YAML text over {@code base}. An empty document changes nothing. */
    public static ServerConfig parse(final String yaml, final ServerConfig base) {
        final JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new ConfigException(null, "not valid YAML: " + e.getOriginalMessage());
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return base;
        }
        if (!root.isObject()) {
            throw new ConfigException(null, "the config must be a mapping of keys to values");
        }
        final Map<String, JsonNode> flat = new LinkedHashMap<>();
        flatten("", root, flat);
        ServerConfig c = base;
        for (Map.Entry<String, JsonNode> e : flat.entrySet()) {
            final BiFunction<ServerConfig, JsonNode, ServerConfig> apply = KEYS.get(e.getKey());
            if (apply == null) {
                throw new ConfigException(e.getKey(), "unknown key; known keys: " + String.join(", ", KEYS.keySet()));
            }
            c = apply.apply(c, e.getValue());
        }
        return c;
    }

    private static void flatten(final String prefix, final JsonNode node, final Map<String, JsonNode> out) {
        final Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            final Map.Entry<String, JsonNode> e = it.next();
            final String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            if (e.getValue().isObject() && !KEYS.containsKey(key)) {
                flatten(key, e.getValue(), out);
            } else {
                out.put(key, e.getValue());
            }
        }
    }

    private static String text(final String key, final JsonNode v) {
        if (v.getNodeType() != JsonNodeType.STRING && !v.isNumber() && !v.isBoolean()) {
            throw new ConfigException(key, "expected a text value, got " + describe(v));
        }
        return v.asText();
    }

    private static int integer(final String key, final JsonNode v) {
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new ConfigException(key, "expected a whole number, got " + describe(v));
        }
        return v.intValue();
    }

    private static String describe(final JsonNode v) {
        return v.isNull() ? "nothing" : v.getNodeType().name().toLowerCase() + " '" + v + "'";
    }
}
