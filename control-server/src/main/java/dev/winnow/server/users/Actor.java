package dev.winnow.server.users;

import io.javalin.http.Context;
import java.util.EnumSet;
import java.util.Set;

/**
 * Who makes a request: a logged-in user, an API token's user, or {@code local} (every role) when
 * enforcement is off and nobody is logged in.
 *
 * @param via {@code session}, {@code token} or {@code local}
 */
public record Actor(String username, String displayName, Set<Role> roles, String via) {

    public static final String ATTRIBUTE = "winnow.actor";
    public static final Actor LOCAL = new Actor("local", "Local user", EnumSet.allOf(Role.class), "local");

    public Actor {
        roles = roles.isEmpty() ? EnumSet.noneOf(Role.class) : EnumSet.copyOf(roles);
    }

    /** True when the actor has one of {@code any} (or is an admin). */
    public boolean hasAny(final Set<Role> any) {
        if (roles.contains(Role.ADMIN)) {
            return true;
        }
        for (Role r : any) {
            if (roles.contains(r)) {
                return true;
            }
        }
        return false;
    }

    /** The request's actor ({@link #LOCAL} when none was set: auth not installed). */
    public static Actor of(final Context ctx) {
        final Actor a = ctx.attribute(ATTRIBUTE);
        return a == null ? LOCAL : a;
    }
}
