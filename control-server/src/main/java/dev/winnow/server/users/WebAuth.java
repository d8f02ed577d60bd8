package dev.winnow.server.users;

import java.time.Duration;
import java.util.Objects;

/**
 * Web login settings.
 *
 * @param enforced      roles are checked on every page and API route; off, every request acts as the
 *                      logged-in user if there is one, else as the all-roles user {@code local}
 * @param secureCookies session cookies carry {@code Secure} (behind a TLS-terminating proxy)
 * @param sessionIdle   a session ends after this long without a request
 * @param demoPassword  nullable: create one user per role with this password on start (the demo)
 */
public record WebAuth(boolean enforced, boolean secureCookies, Duration sessionIdle, String demoPassword) {

    public WebAuth {
        Objects.requireNonNull(sessionIdle, "sessionIdle");
        if (sessionIdle.isNegative() || sessionIdle.isZero()) {
            throw new IllegalArgumentException("sessionIdle must be positive");
        }
    }

    /** Tests and tools: nothing enforced. */
    public static WebAuth off() {
        return new WebAuth(false, false, Duration.ofHours(12), null);
    }

    /** {@code serve}: every page and API route needs a login or an API token with the right role. */
    public static WebAuth production() {
        return new WebAuth(true, false, Duration.ofHours(12), null);
    }

    public WebAuth withEnforced(final boolean v) {
        return new WebAuth(v, secureCookies, sessionIdle, demoPassword);
    }

    public WebAuth withSecureCookies(final boolean v) {
        return new WebAuth(enforced, v, sessionIdle, demoPassword);
    }

    public WebAuth withDemoPassword(final String v) {
        return new WebAuth(enforced, secureCookies, sessionIdle, v);
    }

    @Override
    public String toString() {
        return "WebAuth[enforced=" + enforced + ", secureCookies=" + secureCookies + ", idle=" + sessionIdle
                + (demoPassword != null ? ", demo users" : "") + "]";
    }
}
