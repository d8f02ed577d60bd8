package dev.winnow.server.auth;

import dev.winnow.server.store.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Issued MQTT credentials, stored hashed ({@link PasswordHash}, table {@code mqtt_credentials}).
 * Enrolment returns the secret once; only its hash is kept. The broker asks {@link #authenticate}
 * on every connect; a successful check is cached for {@link #CACHE_MS} (keyed by a hash of the
 * password, so revocation and rotation take effect within that time).
 */
public final class DeviceRegistry {

    public static final long CACHE_MS = 5_000;

    /** One issued credential, without its secret. */
    public record Entry(Principal principal, Instant createdAt, Instant revokedAt, String secretHash) {
        public boolean active() {
            return revokedAt == null;
        }
    }

    private record Cached(String passwordDigest, Principal principal, long until) {
    }

    private final Database db;
    private final Map<String, Principal> builtIn = new ConcurrentHashMap<>();
    private final Map<String, String> builtInSecrets = new ConcurrentHashMap<>();
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    public DeviceRegistry(final Database db) {
        this.db = db;
    }

    /**
     * Issues credentials for a device. Refuses a device that already has active credentials unless
     * {@code rotate}: then the old secret stops working (within {@link #CACHE_MS}).
     */
    public Credentials enrol(final String site, final String line, final String device, final boolean rotate) {
        return issue(Principal.device(site, line, device), rotate);
    }

    /** Issues credentials for a device, replacing any it had. The demo and tests use this. */
    public Credentials enrol(final String site, final String line, final String device) {
        return enrol(site, line, device, true);
    }

    /** Issues credentials for a service account (a server's ingest on an external broker). */
    public Credentials enrolService(final String username, final boolean rotate) {
        if (username == null || !username.matches("[A-Za-z0-9][A-Za-z0-9_-]{0,63}")) {
            throw new IllegalArgumentException("service user name '" + username + "' must match [A-Za-z0-9][A-Za-z0-9_-]{0,63}");
        }
        return issue(Principal.service(username), rotate);
    }

    private synchronized Credentials issue(final Principal p, final boolean rotate) {
        final String secret = PasswordHash.newSecret();
        final String hash = PasswordHash.hash(secret);
        try (Connection c = db.connection()) {
            c.setAutoCommit(false);
            try {
                final Optional<Entry> existing = find(c, p.username());
                if (existing.isPresent() && existing.get().active() && !rotate) {
                    throw new IllegalStateException(p.username() + " is already enrolled; use --rotate to issue a new secret");
                }
                if (existing.isPresent()) {
                    try (PreparedStatement ps = c.prepareStatement("DELETE FROM mqtt_credentials WHERE username = ?")) {
                        ps.setString(1, p.username());
                        ps.executeUpdate();
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO mqtt_credentials (username, role, site, "
                        + "line, device, secret_hash, created_at) VALUES (?,?,?,?,?,?,?)")) {
                    ps.setString(1, p.username());
                    ps.setString(2, p.role().name().toLowerCase());
                    ps.setString(3, p.site());
                    ps.setString(4, p.line());
                    ps.setString(5, p.device());
                    ps.setString(6, hash);
                    ps.setObject(7, OffsetDateTime.now(ZoneOffset.UTC));
                    ps.executeUpdate();
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot store credentials for " + p.username() + ": " + e.getMessage(), e);
        }
        cache.remove(p.username());
        return new Credentials(p, secret);
    }

    /** Revokes a user's credentials; true if there were active ones. */
    public boolean revoke(final String username) {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE mqtt_credentials SET revoked_at = ? WHERE username = ? AND revoked_at IS NULL")) {
            ps.setObject(1, OffsetDateTime.now(ZoneOffset.UTC));
            ps.setString(2, username);
            final boolean any = ps.executeUpdate() > 0;
            cache.remove(username);
            return any;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot revoke " + username + ": " + e.getMessage(), e);
        }
    }

    /** Every credential ever issued and not replaced, active or revoked, by user name. */
    public List<Entry> list() {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "SELECT username, role, site, line, device, secret_hash, created_at, revoked_at FROM mqtt_credentials "
                        + "ORDER BY username")) {
            final List<Entry> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(entry(rs));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot list credentials: " + e.getMessage(), e);
        }
    }

    /**
     * A credential known only to this process (the embedded broker's own ingest client): not stored,
     * gone at restart.
     */
    public Credentials builtInService(final String username) {
        final String secret = PasswordHash.newSecret();
        final Principal p = Principal.service(username);
        builtIn.put(username, p);
        builtInSecrets.put(username, secret);
        return new Credentials(p, secret);
    }

    /** The principal for a user name and password, or empty. Never throws for bad input. */
    public Optional<Principal> authenticate(final String username, final byte[] password) {
        if (username == null || password == null || username.length() > 200 || password.length > 1024) {
            return Optional.empty();
        }
        final String pw = new String(password, java.nio.charset.StandardCharsets.UTF_8);
        final Principal b = builtIn.get(username);
        if (b != null) {
            return java.security.MessageDigest.isEqual(PasswordHash.utf8(builtInSecrets.get(username)),
                    PasswordHash.utf8(pw)) ? Optional.of(b) : Optional.empty();
        }
        final String digest = sha256(pw);
        final Cached hit = cache.get(username);
        final long now = System.currentTimeMillis();
        if (hit != null && hit.until() > now && hit.passwordDigest().equals(digest)) {
            return Optional.of(hit.principal());
        }
        final Optional<Entry> e;
        try (Connection c = db.connection()) {
            e = find(c, username);
        } catch (SQLException ex) {
            throw new IllegalStateException("credential store unavailable: " + ex.getMessage(), ex);
        }
        if (e.isEmpty() || !e.get().active() || !PasswordHash.verify(pw, e.get().secretHash())) {
            cache.remove(username);
            return Optional.empty();
        }
        cache.put(username, new Cached(digest, e.get().principal(), now + CACHE_MS));
        return Optional.of(e.get().principal());
    }

    private static String sha256(final String s) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(PasswordHash.utf8(s)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Optional<Entry> find(final Connection c, final String username) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT username, role, site, line, device, secret_hash, "
                + "created_at, revoked_at FROM mqtt_credentials WHERE username = ?")) {
            ps.setString(1, username);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(entry(rs)) : Optional.empty();
            }
        }
    }

    private static Entry entry(final ResultSet rs) throws SQLException {
        final String role = rs.getString("role");
        final Principal p = "service".equals(role) ? Principal.service(rs.getString("username"))
                : Principal.device(rs.getString("site"), rs.getString("line"), rs.getString("device"));
        final OffsetDateTime created = rs.getObject("created_at", OffsetDateTime.class);
        final OffsetDateTime revoked = rs.getObject("revoked_at", OffsetDateTime.class);
        return new Entry(p, created.toInstant(), revoked == null ? null : revoked.toInstant(),
                rs.getString("secret_hash"));
    }
}
