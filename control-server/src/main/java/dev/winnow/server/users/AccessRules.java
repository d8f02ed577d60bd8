package dev.winnow.server.users;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Who may open which page or API route: the first rule whose prefix matches decides. Covers every
 * team's prefixes; anything not listed is for admins only (deny by default). Admins pass every rule.
 *
 * <pre>
 * open           /login /api/login /assets/ /api/health /favicon.ico /contact /api/contact (customers' form)
 * device         /api/device/          (MQTT device credentials, checked by the route)
 * signed in      /api/me /api/logout /forbidden /api/openapi.json /api/docs /metrics
 * admin          /admin /api/users /api/audit
 * designer       /design /api/design
 * manager        /reports /api/reports /api/report-jobs /api/report-settings
 * manager, agent /api/lots/ /api/certificates     (lot certificates)
 * manager, engineer /api/line-settings
 * agent          /desk /api/desk
 * engineer       /fleet /devices /models /rollouts and their /api/ routes
 * operator, engineer (managers read) /alarms /gallery /lines / and their /api/ routes
 * </pre>
 */
public final class AccessRules {

    public enum Kind { OPEN, DEVICE, SIGNED_IN, ROLES }

    /**
     * @param read  roles for GET/HEAD
     * @param write roles for POST/PUT/PATCH/DELETE
     */
    public record Rule(String prefix, Kind kind, Set<Role> read, Set<Role> write) {
        boolean matches(final String path) {
            if (prefix.endsWith("/")) {
                return path.startsWith(prefix);
            }
            return path.equals(prefix) || path.startsWith(prefix + "/") || path.startsWith(prefix + ".");
        }

        public Set<Role> roles(final String method) {
            return "GET".equals(method) || "HEAD".equals(method) ? read : write;
        }
    }

    private static final Set<Role> NONE = EnumSet.noneOf(Role.class);
    private static final Set<Role> FLOOR = EnumSet.of(Role.OPERATOR, Role.ENGINEER);
    private static final Set<Role> FLOOR_READ = EnumSet.of(Role.OPERATOR, Role.ENGINEER, Role.MANAGER);

    public static final List<Rule> RULES = List.of(
            open("/login"), open("/api/login"), open("/assets/"), open("/api/health"), open("/favicon.ico"),
            open("/contact"), open("/api/contact"),
            new Rule("/api/device/", Kind.DEVICE, NONE, NONE),
            signedIn("/api/me"), signedIn("/api/logout"), signedIn("/forbidden"), signedIn("/api/openapi.json"),
            signedIn("/api/docs"), signedIn("/metrics"),
            roles("/admin", Role.ADMIN), roles("/api/users", Role.ADMIN), roles("/api/audit", Role.ADMIN),
            roles("/design", Role.DESIGNER), roles("/api/design", Role.DESIGNER),
            roles("/reports", Role.MANAGER), roles("/api/reports", Role.MANAGER), roles("/api/report-jobs", Role.MANAGER),
            roles("/api/report-settings", Role.MANAGER),
            roles("/api/lots/", Role.MANAGER, Role.AGENT), roles("/api/certificates", Role.MANAGER, Role.AGENT),
            roles("/api/line-settings", Role.MANAGER, Role.ENGINEER),
            roles("/desk", Role.AGENT), roles("/api/desk", Role.AGENT),
            roles("/fleet", Role.ENGINEER), roles("/api/fleet", Role.ENGINEER),
            roles("/devices", Role.ENGINEER), roles("/api/devices", Role.ENGINEER),
            roles("/models", Role.ENGINEER), roles("/api/models", Role.ENGINEER),
            roles("/rollouts", Role.ENGINEER), roles("/api/rollouts", Role.ENGINEER),
            floor("/alarms"), floor("/api/alarms"), floor("/gallery"), floor("/api/gallery"),
            floor("/lines"), floor("/api/lines"), new Rule("/", Kind.ROLES, all(), NONE));

    private AccessRules() {
    }

    /** The deciding rule for a path (admins only when nothing matches). */
    public static Rule ruleFor(final String path) {
        for (Rule r : RULES) {
            if (r.prefix().equals("/") ? path.equals("/") : r.matches(path)) {
                return r;
            }
        }
        return new Rule(path, Kind.ROLES, EnumSet.of(Role.ADMIN), EnumSet.of(Role.ADMIN));
    }

    /** The page a user lands on after logging in. */
    public static String home(final Set<Role> roles) {
        if (roles.contains(Role.ADMIN) || roles.contains(Role.OPERATOR) || roles.contains(Role.ENGINEER)) {
            return "/";
        }
        if (roles.contains(Role.MANAGER)) {
            return "/reports";
        }
        if (roles.contains(Role.DESIGNER)) {
            return "/design";
        }
        return roles.contains(Role.AGENT) ? "/desk" : "/forbidden";
    }

    private static Set<Role> all() {
        return EnumSet.of(Role.OPERATOR, Role.ENGINEER, Role.MANAGER);
    }

    private static Rule open(final String p) {
        return new Rule(p, Kind.OPEN, NONE, NONE);
    }

    private static Rule signedIn(final String p) {
        return new Rule(p, Kind.SIGNED_IN, NONE, NONE);
    }

    private static Rule roles(final String p, final Role... roles) {
        final Set<Role> s = EnumSet.of(roles[0], roles);
        return new Rule(p, Kind.ROLES, s, s);
    }

    private static Rule floor(final String p) {
        return new Rule(p, Kind.ROLES, FLOOR_READ, FLOOR);
    }
}
