package dev.winnow.server.auth;

import dev.winnow.protocol.Topic;
import java.util.Objects;

/**
 * Who is connected to the broker: a device (may publish only under its own
 * {@code winnow/v1/{site}/{line}/{device}/} and read only its own {@code cmd/...}) or a service
 * (the server's ingest: reads everything under {@code winnow/v1/}, sends commands).
 *
 * @param site   null for a service
 */
public record Principal(Role role, String username, String site, String line, String device) {

    public enum Role { DEVICE, SERVICE }

    public Principal {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(username, "username");
        if (role == Role.DEVICE) {
            Objects.requireNonNull(site, "site");
            Objects.requireNonNull(line, "line");
            Objects.requireNonNull(device, "device");
        }
    }

    public static Principal device(final String site, final String line, final String device) {
        return new Principal(Role.DEVICE, deviceUsername(site, line, device), site, line, device);
    }

    public static Principal service(final String username) {
        return new Principal(Role.SERVICE, username, null, null, null);
    }

    /**
     * A device's MQTT user name: {@code {site}.{line}.{device}}. Names match {@link Topic#NAME}, which has no
     * dot and no colon, so the name is unambiguous and fits Mosquitto's password file.
     */
    public static String deviceUsername(final String site, final String line, final String device) {
        for (String n : new String[] {site, line, device}) {
            if (n == null || !Topic.NAME.matcher(n).matches()) {
                throw new IllegalArgumentException("'" + n + "' must match " + Topic.NAME.pattern());
            }
        }
        return site + "." + line + "." + device;
    }

    /** The device's topic subtree, {@code winnow/v1/{site}/{line}/{device}/}. */
    public String prefix() {
        return role == Role.DEVICE ? Topic.devicePrefix(site, line, device) : null;
    }
}
