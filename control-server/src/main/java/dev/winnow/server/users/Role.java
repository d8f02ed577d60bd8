package dev.winnow.server.users;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** What a person may see and do. {@link #ADMIN} may do everything. */
public enum Role {
    OPERATOR, ENGINEER, MANAGER, DESIGNER, AGENT, ADMIN;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code operator}, {@code engineer}, ...; throws with the list of valid roles. */
    public static Role parse(final String s) {
        for (Role r : values()) {
            if (r.id().equals(s == null ? "" : s.trim().toLowerCase(Locale.ROOT))) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown role '" + s + "'; valid roles: operator, engineer, manager, "
                + "designer, agent, admin");
    }

    public static Set<Role> parseList(final String csv) {
        final Set<Role> out = EnumSet.noneOf(Role.class);
        if (csv != null) {
            for (String p : csv.split(",")) {
                if (!p.isBlank()) {
                    out.add(parse(p));
                }
            }
        }
        return out;
    }
}
