package dev.winnow.server.users;

import dev.winnow.server.store.Database;
import dev.winnow.server.store.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Users, sessions, API tokens and the audit log, in the database. Passwords are PBKDF2 hashes;
 * session ids and tokens are kept only as SHA-256.
 */
public final class UserStore {

    public static final Pattern USERNAME = Pattern.compile("[a-z0-9][a-z0-9._-]{1,63}");
    public static final int MIN_PASSWORD = 10;
    static final String TOKEN_PREFIX = "wnw_";

    /** A user as the admin page shows it (never the hash). */
    public record User(String username, String displayName, Set<Role> roles, boolean disabled, Instant created) {
        public Actor actor(final String via) {
            return new Actor(username, displayName, roles, via);
        }
    }

    /** A session: the cookie value is shown once, to the browser. */
    public record Session(String id, String csrf, User user) {
    }

    public record Token(String id, String username, String name, Instant created, Instant lastUsed, boolean revoked) {
    }

    public record AuditEntry(long id, Instant at, String username, String action, String target, String detail) {
    }

    private final Database db;
    private final Clock clock;

    public UserStore(final Database db, final Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    // ------------------------------------------------------------------ users

    public User create(final String username, final String displayName, final Set<Role> roles, final String password) {
        validate(username, roles, password);
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement("INSERT INTO web_users "
                + "(username, display_name, password_hash, roles, disabled, created_at) VALUES (?,?,?,?,?,?)")) {
            if (find(c, username).isPresent()) {
                throw new IllegalArgumentException("user '" + username + "' already exists");
            }
            ps.setString(1, username);
            ps.setString(2, displayName == null || displayName.isBlank() ? username : displayName.trim());
            ps.setString(3, Passwords.hash(password));
            ps.setString(4, csv(roles));
            ps.setBoolean(5, false);
            ps.setObject(6, ts(clock.instant()));
            ps.executeUpdate();
            return find(c, username).orElseThrow();
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    /** Creates the user, or resets password, roles and name of an existing one. */
    public User upsert(final String username, final String displayName, final Set<Role> roles, final String password) {
        if (find(username).isEmpty()) {
            return create(username, displayName, roles, password);
        }
        validate(username, roles, password);
        update("UPDATE web_users SET display_name = ?, roles = ?, password_hash = ?, disabled = FALSE WHERE username = ?",
                displayName, csv(roles), Passwords.hash(password), username);
        return find(username).orElseThrow();
    }

    public void setPassword(final String username, final String password) {
        if (password == null || password.length() < MIN_PASSWORD) {
            throw new IllegalArgumentException("a password needs at least " + MIN_PASSWORD + " characters");
        }
        update("UPDATE web_users SET password_hash = ? WHERE username = ?", Passwords.hash(password), username);
        update("DELETE FROM web_sessions WHERE username = ?", username);
    }

    public void setRoles(final String username, final Set<Role> roles) {
        if (roles.isEmpty()) {
            throw new IllegalArgumentException("a user needs at least one role");
        }
        update("UPDATE web_users SET roles = ? WHERE username = ?", csv(roles), username);
    }

    public void setDisabled(final String username, final boolean disabled) {
        update("UPDATE web_users SET disabled = ? WHERE username = ?", disabled, username);
        if (disabled) {
            update("DELETE FROM web_sessions WHERE username = ?", username);
        }
    }

    public Optional<User> find(final String username) {
        try (Connection c = db.connection()) {
            return find(c, username);
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    public List<User> list() {
        final List<User> out = new ArrayList<>();
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "SELECT username, display_name, roles, disabled, created_at FROM web_users ORDER BY username");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(user(rs));
            }
            return out;
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    public long count() {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM web_users");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    /** The user when the name and password match and the user is enabled. Takes the same time either way. */
    public Optional<User> check(final String username, final String password) {
        String hash = null;
        if (username != null && USERNAME.matcher(username).matches()) {
            try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                    "SELECT password_hash, disabled FROM web_users WHERE username = ?")) {
                ps.setString(1, username);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && !rs.getBoolean(2)) {
                        hash = rs.getString(1);
                    }
                }
            } catch (SQLException e) {
                throw new StoreException(e);
            }
        }
        if (hash == null) {
            Passwords.verify(password == null ? "" : password, DUMMY); // same cost as a real check
            return Optional.empty();
        }
        return Passwords.verify(password, hash) ? find(username) : Optional.empty();
    }

    private static final String DUMMY = Passwords.hash("not-a-password");

    // ------------------------------------------------------------------ sessions

    public Session openSession(final User user, final Duration idle) {
        final String id = Passwords.newSecret();
        final String csrf = Passwords.newSecret();
        final Instant now = clock.instant();
        update("DELETE FROM web_sessions WHERE expires_at < ?", ts(now));
        update("INSERT INTO web_sessions (id_hash, username, csrf, created_at, expires_at) VALUES (?,?,?,?,?)",
                Passwords.sha256(id), user.username(), csrf, ts(now), ts(now.plus(idle)));
        return new Session(id, csrf, user);
    }

    /** The live session for a cookie value; slides its expiry. */
    public Optional<Session> session(final String id, final Duration idle) {
        if (id == null || id.length() > 100) {
            return Optional.empty();
        }
        final Instant now = clock.instant();
        final String h = Passwords.sha256(id);
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "SELECT s.csrf, s.expires_at, u.username FROM web_sessions s JOIN web_users u ON u.username = s.username "
                        + "WHERE s.id_hash = ? AND u.disabled = FALSE")) {
            ps.setString(1, h);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                final Instant expires = rs.getObject(2, OffsetDateTime.class).toInstant();
                if (expires.isBefore(now)) {
                    return Optional.empty();
                }
                final String csrf = rs.getString(1);
                final Optional<User> u = find(c, rs.getString(3));
                if (u.isEmpty()) {
                    return Optional.empty();
                }
                if (Duration.between(now, expires).compareTo(idle.minusMinutes(1)) < 0) {
                    update("UPDATE web_sessions SET expires_at = ? WHERE id_hash = ?", ts(now.plus(idle)), h);
                }
                return Optional.of(new Session(id, csrf, u.get()));
            }
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    public void closeSession(final String id) {
        if (id != null) {
            update("DELETE FROM web_sessions WHERE id_hash = ?", Passwords.sha256(id));
        }
    }

    // ------------------------------------------------------------------ tokens

    /** Issues a token for scripts; returns the token text, shown once. */
    public Map.Entry<Token, String> issueToken(final String username, final String name) {
        if (name == null || name.isBlank() || name.length() > 200) {
            throw new IllegalArgumentException("a token needs a name of 1 to 200 characters");
        }
        final String id = Passwords.newSecret().substring(0, 12);
        final String secret = TOKEN_PREFIX + Passwords.newSecret();
        final Instant now = clock.instant();
        update("INSERT INTO api_tokens (id, username, name, token_hash, created_at, revoked) VALUES (?,?,?,?,?,FALSE)",
                id, username, name.trim(), Passwords.sha256(secret), ts(now));
        return Map.entry(new Token(id, username, name.trim(), now, null, false), secret);
    }

    public Optional<User> tokenUser(final String secret) {
        if (secret == null || !secret.startsWith(TOKEN_PREFIX) || secret.length() > 100) {
            return Optional.empty();
        }
        final String h = Passwords.sha256(secret);
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "SELECT t.username, t.id FROM api_tokens t JOIN web_users u ON u.username = t.username "
                        + "WHERE t.token_hash = ? AND t.revoked = FALSE AND u.disabled = FALSE")) {
            ps.setString(1, h);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                final String user = rs.getString(1);
                update("UPDATE api_tokens SET last_used = ? WHERE id = ?", ts(clock.instant()), rs.getString(2));
                return find(c, user);
            }
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    public List<Token> tokens(final String usernameOrNull) {
        final String sql = "SELECT id, username, name, created_at, last_used, revoked FROM api_tokens"
                + (usernameOrNull == null ? "" : " WHERE username = ?") + " ORDER BY created_at DESC";
        final List<Token> out = new ArrayList<>();
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            if (usernameOrNull != null) {
                ps.setString(1, usernameOrNull);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Token(rs.getString(1), rs.getString(2), rs.getString(3), instant(rs, 4), instant(rs, 5),
                            rs.getBoolean(6)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    /** Revokes a token; a non-admin may revoke only their own. Returns false when there is no such token. */
    public boolean revokeToken(final String id, final String ownerOrNull) {
        return update("UPDATE api_tokens SET revoked = TRUE WHERE id = ?" + (ownerOrNull == null ? "" : " AND username = ?"),
                ownerOrNull == null ? new Object[] {id} : new Object[] {id, ownerOrNull}) > 0;
    }

    // ------------------------------------------------------------------ audit

    public void audit(final String username, final String action, final String target, final String detail) {
        update("INSERT INTO audit_log (at, username, action, target, detail) VALUES (?,?,?,?,?)", ts(clock.instant()),
                username, action, cut(target, 400), detail == null ? null : cut(detail, 4000));
    }

    public List<AuditEntry> auditLog(final int limit, final String actionPrefixOrNull) {
        final String sql = "SELECT id, at, username, action, target, detail FROM audit_log"
                + (actionPrefixOrNull == null ? "" : " WHERE action LIKE ?") + " ORDER BY id DESC LIMIT ?";
        final List<AuditEntry> out = new ArrayList<>();
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            if (actionPrefixOrNull != null) {
                ps.setString(i++, actionPrefixOrNull + "%");
            }
            ps.setInt(i, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new AuditEntry(rs.getLong(1), instant(rs, 2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getString(6)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    // ------------------------------------------------------------------ helpers

    private static void validate(final String username, final Set<Role> roles, final String password) {
        if (username == null || !USERNAME.matcher(username).matches()) {
            throw new IllegalArgumentException("a user name is 2 to 64 lower-case letters, digits, '.', '_' or '-'");
        }
        if (roles == null || roles.isEmpty()) {
            throw new IllegalArgumentException("a user needs at least one role");
        }
        if (password == null || password.length() < MIN_PASSWORD) {
            throw new IllegalArgumentException("a password needs at least " + MIN_PASSWORD + " characters");
        }
    }

    private Optional<User> find(final Connection c, final String username) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT username, display_name, roles, disabled, created_at FROM web_users WHERE username = ?")) {
            ps.setString(1, username);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(user(rs)) : Optional.empty();
            }
        }
    }

    private static User user(final ResultSet rs) throws SQLException {
        return new User(rs.getString(1), rs.getString(2), Role.parseList(rs.getString(3)), rs.getBoolean(4),
                instant(rs, 5));
    }

    private int update(final String sql, final Object... args) {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    static String csv(final Set<Role> roles) {
        return roles.stream().sorted().map(Role::id).collect(Collectors.joining(","));
    }

    static OffsetDateTime ts(final Instant i) {
        return OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
    }

    static Instant instant(final ResultSet rs, final int col) throws SQLException {
        final OffsetDateTime t = rs.getObject(col, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private static String cut(final String s, final int max) {
        return s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }

    /** For JSON: a user as a map. */
    public static Map<String, Object> json(final User u) {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("username", u.username());
        m.put("displayName", u.displayName());
        m.put("roles", u.roles().stream().map(Role::id).sorted().toList());
        m.put("disabled", u.disabled());
        m.put("created", u.created());
        return m;
    }
}
