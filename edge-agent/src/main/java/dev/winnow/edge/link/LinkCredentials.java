package dev.winnow.edge.link;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The device's MQTT credentials, first found of: explicit values (CLI), the environment
 * ({@code WINNOW_MQTT_USERNAME} and {@code WINNOW_MQTT_PASSWORD}), {@code WINNOW_MQTT_CREDENTIALS}
 * naming a file, or {@code {stateDir}/credentials.json}. The file is the JSON line
 * {@code winnow-server enrol} prints: {@code {"username":"...","password":"...", ...}}.
 * Both null means anonymous (a broker that allows it).
 */
public record LinkCredentials(String username, String password) {

    public static final String ENV_USERNAME = "WINNOW_MQTT_USERNAME";
    public static final String ENV_PASSWORD = "WINNOW_MQTT_PASSWORD";
    public static final String ENV_FILE = "WINNOW_MQTT_CREDENTIALS";
    public static final String FILE_NAME = "credentials.json";

    @Override
    public String toString() {
        return "LinkCredentials[username=" + username + ", password=" + (password == null ? "none" : "***") + "]";
    }

    public static LinkCredentials resolve(final String username, final String password, final Path stateDir) {
        if (username != null) {
            return new LinkCredentials(username, password);
        }
        final String envUser = System.getenv(ENV_USERNAME);
        if (envUser != null && !envUser.isBlank()) {
            return new LinkCredentials(envUser, System.getenv(ENV_PASSWORD));
        }
        final String envFile = System.getenv(ENV_FILE);
        if (envFile != null && !envFile.isBlank()) {
            return read(Path.of(envFile));
        }
        if (stateDir != null && Files.isRegularFile(stateDir.resolve(FILE_NAME))) {
            return read(stateDir.resolve(FILE_NAME));
        }
        return new LinkCredentials(null, null);
    }

    /** Reads a credentials file (the JSON {@code winnow-server enrol} prints). */
    public static LinkCredentials read(final Path file) {
        try {
            final JsonNode n = new ObjectMapper().readTree(Files.readString(file));
            final JsonNode u = n.get("username");
            final JsonNode p = n.get("password");
            if (u == null || !u.isTextual() || p == null || !p.isTextual()) {
                throw new IllegalArgumentException("credentials file " + file + " needs \"username\" and \"password\"");
            }
            return new LinkCredentials(u.asText(), p.asText());
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot read the credentials file " + file + ": " + e.getMessage(), e);
        }
    }
}
