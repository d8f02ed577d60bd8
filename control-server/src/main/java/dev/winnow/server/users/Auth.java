package dev.winnow.server.users;

import dev.winnow.server.line.Json;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.HttpStatus;
import io.javalin.http.SameSite;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Web login, sessions, API tokens, CSRF, role enforcement ({@link AccessRules}) and the admin API.
 *
 * <pre>
 * GET  /login, POST /api/login {username,password}, POST /api/logout, GET /api/me
 * GET  /api/me/tokens, POST /api/me/tokens {name} (token shown once), DELETE /api/me/tokens/{id}
 * GET  /admin (page), GET|POST /api/users, PUT /api/users/{name} {roles,displayName,password,disabled}
 * GET  /api/audit?limit=200&action=prefix
 * </pre>
 *
 * Requests carry either the session cookie ({@code winnow_session}: HttpOnly, SameSite=Strict) or
 * {@code Authorization: Bearer wnw_...}. A change made with a session must carry the session's
 * {@code X-CSRF-Token} header or come from a page of this server (same {@code Origin}).
 */
public final class Auth {

    private static final Logger LOG = LoggerFactory.getLogger(Auth.class);
    public static final String COOKIE = "winnow_session";
    private static final String SESSION_ATTR = "winnow.session";
    private static final int MAX_FAILURES = 5;
    private static final long LOCKOUT_MS = 5 * 60_000;

    private final UserStore users;
    private final WebAuth settings;
    private final Clock clock;
    private final String loginHtml = resource("/web/login.html");
    private final String forbiddenHtml = resource("/web/forbidden.html");
    private final String adminHtml = resource("/web/admin.html");
    private final Map<String, long[]> failures = new ConcurrentHashMap<>();

    public Auth(final UserStore users, final WebAuth settings, final Clock clock) {
        this.users = users;
        this.settings = settings;
        this.clock = clock;
    }

    public UserStore users() {
        return users;
    }

    public WebAuth settings() {
        return settings;
    }

    /** Records a change in the audit log with the request's user. */
    public void audit(final Context ctx, final String action, final String target, final String detail) {
        final Actor a = Actor.of(ctx);
        users.audit(a.username(), action, target, detail);
        LOG.info("audit user={} action={} target={} {}", a.username(), action, target, detail == null ? "" : detail);
    }

    /** Installs the gate (a before-handler on every request) and the login and admin routes. */
    public void install(final Javalin app) {
        app.before(this::gate);
        app.get("/login", ctx -> ctx.html(loginHtml));
        app.get("/forbidden", ctx -> ctx.status(HttpStatus.FORBIDDEN).html(forbiddenHtml));
        app.get("/admin", ctx -> ctx.html(adminHtml));
        app.post("/api/login", this::login);
        app.post("/api/logout", ctx -> {
            final String id = ctx.cookie(COOKIE);
            users.closeSession(id);
            ctx.removeCookie(COOKIE, "/");
            if (!"local".equals(Actor.of(ctx).via())) {
                audit(ctx, "logout", Actor.of(ctx).username(), null);
            }
            ctx.json(Map.of("ok", true));
        });
        app.get("/api/me", ctx -> {
            final Actor a = Actor.of(ctx);
            final Map<String, Object> m = new LinkedHashMap<>();
            m.put("username", a.username());
            m.put("displayName", a.displayName());
            m.put("roles", a.roles().stream().map(Role::id).sorted().toList());
            m.put("via", a.via());
            m.put("enforced", settings.enforced());
            final UserStore.Session s = ctx.attribute(SESSION_ATTR);
            m.put("csrf", s == null ? null : s.csrf());
            m.put("home", AccessRules.home(a.roles()));
            ctx.header("Cache-Control", "no-store").json(m);
        });
        app.get("/api/me/tokens", ctx -> ctx.json(Map.of("tokens", users.tokens(Actor.of(ctx).username()))));
        app.post("/api/me/tokens", ctx -> {
            final Actor a = Actor.of(ctx);
            requireRealUser(a);
            final Map<String, Object> body = body(ctx);
            final var issued = users.issueToken(a.username(), str(body.get("name")));
            audit(ctx, "token.issue", a.username(), issued.getKey().name());
            ctx.status(HttpStatus.CREATED).json(Map.of("token", issued.getValue(), "id", issued.getKey().id(),
                    "note", "shown once: keep it now; send it as 'Authorization: Bearer <token>'"));
        });
        app.delete("/api/me/tokens/{id}", ctx -> {
            final Actor a = Actor.of(ctx);
            final boolean admin = a.roles().contains(Role.ADMIN);
            if (!users.revokeToken(ctx.pathParam("id"), admin ? null : a.username())) {
                ctx.status(HttpStatus.NOT_FOUND).json(Map.of("error", "no such token"));
                return;
            }
            audit(ctx, "token.revoke", ctx.pathParam("id"), null);
            ctx.json(Map.of("ok", true));
        });
        app.get("/api/users", ctx -> ctx.json(Map.of("users", users.list().stream().map(UserStore::json).toList(),
                "roles", List.of(Role.values()).stream().map(Role::id).toList())));
        app.post("/api/users", ctx -> {
            final Map<String, Object> b = body(ctx);
            final UserStore.User u = users.create(str(b.get("username")), str(b.get("displayName")),
                    roles(b.get("roles")), str(b.get("password")));
            audit(ctx, "user.create", u.username(), "roles=" + UserStore.csv(u.roles()));
            ctx.status(HttpStatus.CREATED).json(UserStore.json(u));
        });
        app.put("/api/users/{name}", ctx -> {
            final String name = ctx.pathParam("name");
            if (users.find(name).isEmpty()) {
                ctx.status(HttpStatus.NOT_FOUND).json(Map.of("error", "no user '" + name + "'"));
                return;
            }
            final Map<String, Object> b = body(ctx);
            if (b.containsKey("roles")) {
                users.setRoles(name, roles(b.get("roles")));
                audit(ctx, "user.roles", name, "roles=" + UserStore.csv(roles(b.get("roles"))));
            }
            if (b.get("password") != null) {
                users.setPassword(name, str(b.get("password")));
                audit(ctx, "user.password", name, null);
            }
            if (b.containsKey("disabled")) {
                if (Boolean.TRUE.equals(b.get("disabled")) && name.equals(Actor.of(ctx).username())) {
                    throw new IllegalArgumentException("you cannot disable yourself");
                }
                users.setDisabled(name, Boolean.TRUE.equals(b.get("disabled")));
                audit(ctx, Boolean.TRUE.equals(b.get("disabled")) ? "user.disable" : "user.enable", name, null);
            }
            ctx.json(UserStore.json(users.find(name).orElseThrow()));
        });
        app.get("/api/audit", ctx -> {
            int limit = 200;
            try {
                limit = Math.max(1, Math.min(5000, Integer.parseInt(Optional.ofNullable(ctx.queryParam("limit")).orElse("200"))));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("limit must be a whole number");
            }
            ctx.json(Map.of("entries", users.auditLog(limit, ctx.queryParam("action"))));
        });
        app.exception(IllegalArgumentException.class, (e, ctx) ->
                ctx.status(HttpStatus.BAD_REQUEST).json(Map.of("error", String.valueOf(e.getMessage()))));
    }

    // ------------------------------------------------------------------ the gate

    private void gate(final Context ctx) {
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Referrer-Policy", "same-origin");
        ctx.header("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; "
                + "style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'");
        final String path = ctx.path();
        final String method = ctx.method().name();
        final AccessRules.Rule rule = AccessRules.ruleFor(path);
        Actor actor = null;
        boolean bySession = false;
        final String authz = ctx.header("Authorization");
        if (authz != null && authz.startsWith("Bearer ")) {
            final Optional<UserStore.User> u = users.tokenUser(authz.substring(7).trim());
            if (u.isEmpty() && rule.kind() != AccessRules.Kind.OPEN && rule.kind() != AccessRules.Kind.DEVICE) {
                deny(ctx, HttpStatus.UNAUTHORIZED, "unknown or revoked API token", false);
                return;
            }
            actor = u.map(x -> x.actor("token")).orElse(null);
        } else {
            final String sid = ctx.cookie(COOKIE);
            if (sid != null) {
                final Optional<UserStore.Session> s = users.session(sid, settings.sessionIdle());
                if (s.isPresent()) {
                    actor = s.get().user().actor("session");
                    ctx.attribute(SESSION_ATTR, s.get());
                    bySession = true;
                }
            }
        }
        if (actor == null && !settings.enforced()) {
            actor = Actor.LOCAL;
        }
        if (actor != null) {
            ctx.attribute(Actor.ATTRIBUTE, actor);
        }
        final boolean unsafe = !("GET".equals(method) || "HEAD".equals(method) || "OPTIONS".equals(method));
        if (unsafe && (bySession || path.equals("/api/login")) && !csrfOk(ctx)) {
            deny(ctx, HttpStatus.FORBIDDEN, "CSRF check failed: send the X-CSRF-Token header from /api/me", false);
            return;
        }
        if (!settings.enforced() || rule.kind() == AccessRules.Kind.OPEN || rule.kind() == AccessRules.Kind.DEVICE) {
            return;
        }
        if (actor == null) {
            deny(ctx, HttpStatus.UNAUTHORIZED, "log in first", true);
            return;
        }
        if (rule.kind() == AccessRules.Kind.ROLES && !actor.hasAny(rule.roles(method))) {
            LOG.info("refused {} {} to {} (roles {})", method, path, actor.username(), actor.roles());
            deny(ctx, HttpStatus.FORBIDDEN, "your role may not " + (unsafe ? "change" : "see") + " " + path
                    + "; it needs one of " + rule.roles(method).stream().map(Role::id).sorted().toList(), false);
        }
    }

    private boolean csrfOk(final Context ctx) {
        final UserStore.Session s = ctx.attribute(SESSION_ATTR);
        final String header = ctx.header("X-CSRF-Token");
        if (s != null && header != null && java.security.MessageDigest.isEqual(
                header.getBytes(StandardCharsets.UTF_8), s.csrf().getBytes(StandardCharsets.UTF_8))) {
            return true;
        }
        final String site = ctx.header("Sec-Fetch-Site");
        if (site != null && !site.equals("same-origin")) {
            return false;
        }
        final String origin = ctx.header("Origin");
        final String host = ctx.header("Host");
        if (origin == null || host == null) {
            return false;
        }
        try {
            final URI o = URI.create(origin);
            final String oh = o.getPort() < 0 ? o.getHost() : o.getHost() + ":" + o.getPort();
            return host.equalsIgnoreCase(oh);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static void deny(final Context ctx, final HttpStatus status, final String message, final boolean login) {
        final String accept = ctx.header("Accept");
        final boolean page = ctx.method().name().equals("GET") && accept != null && accept.contains("text/html")
                && !ctx.path().startsWith("/api/");
        if (page) {
            final String next = ctx.path() + (ctx.queryString() == null ? "" : "?" + ctx.queryString());
            ctx.redirect(login ? "/login?next=" + java.net.URLEncoder.encode(next, StandardCharsets.UTF_8)
                    : "/forbidden?path=" + java.net.URLEncoder.encode(ctx.path(), StandardCharsets.UTF_8),
                    HttpStatus.FOUND);
        } else {
            ctx.status(status).json(Map.of("error", message));
        }
        ctx.skipRemainingHandlers();
    }

    // ------------------------------------------------------------------ login

    private void login(final Context ctx) {
        final Map<String, Object> b = body(ctx);
        final String username = str(b.get("username"));
        final String password = str(b.get("password"));
        final String key = (username == null ? "" : username) + "|" + ctx.ip();
        final long now = clock.millis();
        final long[] f = failures.get(key);
        if (f != null && f[0] >= MAX_FAILURES && now - f[1] < LOCKOUT_MS) {
            ctx.status(HttpStatus.TOO_MANY_REQUESTS).json(Map.of("error",
                    "too many failed attempts: wait five minutes and try again"));
            return;
        }
        final Optional<UserStore.User> u = users.check(username, password);
        if (u.isEmpty()) {
            failures.compute(key, (k, v) -> v == null || now - v[1] > LOCKOUT_MS ? new long[] {1, now}
                    : new long[] {v[0] + 1, now});
            users.audit(username == null || username.isBlank() ? "?" : cut(username), "login.failed", ctx.ip(), null);
            ctx.status(HttpStatus.UNAUTHORIZED).json(Map.of("error", "wrong user name or password"));
            return;
        }
        failures.remove(key);
        final UserStore.Session s = users.openSession(u.get(), settings.sessionIdle());
        ctx.cookie(new Cookie(COOKIE, s.id(), "/", -1, settings.secureCookies() || "https".equals(ctx.scheme()), 0,
                true, null, null, SameSite.STRICT));
        users.audit(u.get().username(), "login", ctx.ip(), null);
        String next = str(b.get("next"));
        if (next == null || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/login")) {
            next = AccessRules.home(u.get().roles());
        }
        ctx.json(Map.of("ok", true, "username", u.get().username(), "csrf", s.csrf(), "next", next));
    }

    private static String cut(final String s) {
        return s.length() > 64 ? s.substring(0, 64) : s;
    }

    private static void requireRealUser(final Actor a) {
        if ("local".equals(a.via())) {
            throw new IllegalArgumentException("log in to issue an API token");
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> body(final Context ctx) {
        final String ct = ctx.contentType();
        if (ct != null && ct.startsWith("application/x-www-form-urlencoded")) {
            final Map<String, Object> m = new LinkedHashMap<>();
            ctx.formParamMap().forEach((k, v) -> m.put(k, v.isEmpty() ? null : v.get(0)));
            return m;
        }
        try {
            final String text = ctx.body();
            if (text.isBlank()) {
                return Map.of();
            }
            final Object o = Json.MAPPER.readValue(text, Object.class);
            if (!(o instanceof Map)) {
                throw new IllegalArgumentException("the body must be a JSON object");
            }
            return (Map<String, Object>) o;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("the body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    static String str(final Object o) {
        return o == null ? null : String.valueOf(o);
    }

    static Set<Role> roles(final Object o) {
        if (o instanceof List<?> l) {
            final Set<Role> s = java.util.EnumSet.noneOf(Role.class);
            for (Object x : l) {
                s.add(Role.parse(String.valueOf(x)));
            }
            return s;
        }
        return Role.parseList(o == null ? null : String.valueOf(o));
    }

    static String resource(final String path) {
        try (InputStream in = Auth.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Creates the first admin of an empty user table with a random password; returns it, or null. */
    public String bootstrapAdmin() {
        if (users.count() > 0) {
            return null;
        }
        final String pw = Passwords.newReadablePassword();
        users.create("admin", "Administrator", Set.of(Role.ADMIN), pw);
        users.audit("system", "user.create", "admin", "first start: initial administrator");
        return pw;
    }

    /** The demo: one user per role (named after it), all with {@code password}. */
    public void demoUsers(final String password) {
        for (Role r : Role.values()) {
            users.upsert(r.id(), "Demo " + r.id(), Set.of(r), password);
        }
        users.audit("system", "user.demo", "operator,engineer,manager,designer,agent,admin", "demo users");
    }
}
