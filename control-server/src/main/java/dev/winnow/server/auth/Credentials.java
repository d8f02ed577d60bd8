package dev.winnow.server.auth;

import dev.winnow.server.line.Json;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Credentials as issued, with the secret in clear: shown once, never stored (the registry keeps only
 * the hash). {@link #toJson()} is the file an agent reads ({@code credentials.json} in its state folder,
 * or {@code WINNOW_MQTT_CREDENTIALS}).
 */
public record Credentials(Principal principal, String password) {

    public String username() {
        return principal.username();
    }

    /** {@code {"username","password","role","site","line","device","client_id"}}. */
    public String toJson() {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("username", principal.username());
        m.put("password", password);
        m.put("role", principal.role().name().toLowerCase());
        if (principal.role() == Principal.Role.DEVICE) {
            m.put("site", principal.site());
            m.put("line", principal.line());
            m.put("device", principal.device());
            m.put("client_id", "winnow-" + principal.site() + "-" + principal.line() + "-" + principal.device());
        }
        return Json.write(m);
    }

    @Override
    public String toString() {
        return "Credentials[" + principal.username() + ", password=***]";
    }
}
