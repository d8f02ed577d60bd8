package dev.winnow.server.cert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.winnow.server.report.LineDay;
import dev.winnow.server.report.LineSettings;
import dev.winnow.server.store.Database;
import dev.winnow.server.store.StoreException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Lot quality certificates. The certificate is a JSON document whose {@code sha256} is the SHA-256
 * of the document without that field, in canonical form: keys sorted, no white space, numbers of
 * measure as fixed-decimal strings. A lot's certificate is issued on first request and re-issued
 * (new id) only when the lot's figures change (more events arrived).
 */
public final class CertificateService {

    /** Canonical JSON: sorted keys, compact. */
    public static final ObjectMapper CANONICAL = JsonMapper.builder()
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    /** An issued certificate: the document (with {@code sha256}) and its id. */
    public record Issued(String id, String lot, ObjectNode document) {
    }

    private final Database db;
    private final Clock clock;
    private final LineSettings.Store settings;

    public CertificateService(final Database db, final Clock clock) {
        this.db = db;
        this.clock = clock;
        this.settings = new LineSettings.Store(db);
    }

    /** The lot's current certificate, issued now if the lot has none or its figures changed; empty for an unknown lot. */
    public Optional<Issued> certificate(final String lot) {
        final Optional<ObjectNode> content = content(lot);
        if (content.isEmpty()) {
            return Optional.empty();
        }
        final String contentText = canonical(content.get());
        final Optional<Issued> latest = latest(lot);
        if (latest.isPresent() && canonical(latest.get().document().get("content")).equals(contentText)) {
            return latest;
        }
        return Optional.of(issue(lot, content.get()));
    }

    private Issued issue(final String lot, final ObjectNode content) {
        final Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        final String id = "WNW-" + now.toString().substring(0, 10).replace("-", "") + "-"
                + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toUpperCase(Locale.ROOT);
        final ObjectNode doc = CANONICAL.createObjectNode();
        doc.put("certificate_id", id);
        doc.put("issued_at", now.toString());
        doc.put("issuer", "Winnow control server");
        doc.put("lot", lot);
        doc.put("hash_algorithm", "SHA-256 over the canonical JSON of this document without sha256 "
                + "(keys sorted, no white space, UTF-8)");
        doc.set("content", content);
        final String canonical = canonical(doc);
        final String hash = sha256(canonical);
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO lot_certificates (id, lot, issued_at, canonical, sha256) VALUES (?,?,?,?,?)")) {
            ps.setString(1, id);
            ps.setString(2, lot);
            ps.setObject(3, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
            ps.setString(4, canonical);
            ps.setString(5, hash);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException(e);
        }
        doc.put("sha256", hash);
        return new Issued(id, lot, doc);
    }

    private Optional<Issued> latest(final String lot) {
        return one("SELECT id, lot, canonical, sha256 FROM lot_certificates WHERE lot = ? "
                + "ORDER BY issued_at DESC, id DESC LIMIT 1", lot);
    }

    public Optional<Issued> byId(final String id) {
        return one("SELECT id, lot, canonical, sha256 FROM lot_certificates WHERE id = ?", id);
    }

    private Optional<Issued> one(final String sql, final String arg) {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                final ObjectNode doc = (ObjectNode) CANONICAL.readTree(rs.getString(3));
                doc.put("sha256", rs.getString(4));
                return Optional.of(new Issued(rs.getString(1), rs.getString(2), doc));
            }
        } catch (SQLException e) {
            throw new StoreException(e);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** True when the document's {@code sha256} matches its content and it is a certificate we issued. */
    public boolean verify(final JsonNode document) {
        if (!(document instanceof ObjectNode o) || !o.hasNonNull("sha256") || !o.hasNonNull("certificate_id")) {
            return false;
        }
        final ObjectNode copy = o.deepCopy();
        final String claimed = copy.remove("sha256").asText();
        if (!sha256(canonical(copy)).equals(claimed)) {
            return false;
        }
        return byId(o.get("certificate_id").asText()).map(i -> i.document().get("sha256").asText().equals(claimed))
                .orElse(false);
    }

    // ---------------------------------------------------------------- the lot's figures

    /** What the certificate states, from the stored events and stats of the lot. Empty: nothing known. */
    public Optional<ObjectNode> content(final String lot) {
        final Map<String, LineSettings> configured = settings.all();
        record Key(String site, String line) {
        }
        final Map<Key, List<long[]>> running = new TreeMap<>(Comparator.comparing(Key::site).thenComparing(Key::line));
        final Map<Key, List<long[]>> audit = new TreeMap<>(Comparator.comparing(Key::site).thenComparing(Key::line));
        final Map<Key, long[]> eventSpan = new TreeMap<>(Comparator.comparing(Key::site).thenComparing(Key::line));
        final Map<String, Long> removed = new TreeMap<>();
        final TreeSet<String> models = new TreeSet<>();
        long auditDetections = 0;
        try (Connection c = db.connection()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT site, line, from_time, to_time, stats_mode FROM stats "
                    + "WHERE lot = ?")) {
                ps.setString(1, lot);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        final Key k = new Key(rs.getString(1), rs.getString(2));
                        final long[] iv = {rs.getObject(3, OffsetDateTime.class).toInstant().toEpochMilli(),
                                rs.getObject(4, OffsetDateTime.class).toInstant().toEpochMilli()};
                        final String mode = rs.getString(5);
                        if ("running".equals(mode)) {
                            running.computeIfAbsent(k, x -> new ArrayList<>()).add(iv);
                        } else if ("audit".equals(mode)) {
                            audit.computeIfAbsent(k, x -> new ArrayList<>()).add(iv);
                        }
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT site, line, event_time, class_name, audit, model "
                    + "FROM reject_events WHERE lot = ?")) {
                ps.setString(1, lot);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        final Key k = new Key(rs.getString(1), rs.getString(2));
                        final long t = rs.getObject(3, OffsetDateTime.class).toInstant().toEpochMilli();
                        final long[] span = eventSpan.computeIfAbsent(k, x -> new long[] {t, t});
                        span[0] = Math.min(span[0], t);
                        span[1] = Math.max(span[1], t);
                        if (rs.getString(6) != null) {
                            models.add(rs.getString(6));
                        }
                        if (rs.getBoolean(5)) {
                            auditDetections++;
                        } else {
                            removed.merge(rs.getString(4), 1L, Long::sum);
                        }
                    }
                }
            }
        } catch (SQLException e) {
            throw new StoreException(e);
        }
        if (running.isEmpty() && audit.isEmpty() && eventSpan.isEmpty()) {
            return Optional.empty();
        }
        final ObjectNode content = CANONICAL.createObjectNode();
        final var lines = content.putArray("lines");
        final var auditArr = content.putArray("audit_periods_excluded");
        final TreeSet<Key> keys = new TreeSet<>(Comparator.comparing(Key::site).thenComparing(Key::line));
        keys.addAll(running.keySet());
        keys.addAll(audit.keySet());
        keys.addAll(eventSpan.keySet());
        double tonnes = 0;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (Key k : keys) {
            final List<long[]> merged = merge(running.getOrDefault(k, List.of()));
            long ms = 0;
            long f = Long.MAX_VALUE;
            long l = Long.MIN_VALUE;
            for (long[] iv : merged) {
                ms += iv[1] - iv[0];
                f = Math.min(f, iv[0]);
                l = Math.max(l, iv[1]);
            }
            final long[] span = eventSpan.get(k);
            if (span != null) {
                f = Math.min(f, span[0]);
                l = Math.max(l, span[1]);
            }
            for (long[] iv : merge(audit.getOrDefault(k, List.of()))) {
                final ObjectNode a = auditArr.addObject();
                a.put("site", k.site());
                a.put("line", k.line());
                a.put("from", Instant.ofEpochMilli(iv[0]).toString());
                a.put("to", Instant.ofEpochMilli(iv[1]).toString());
                f = Math.min(f, iv[0]);
                l = Math.max(l, iv[1]);
            }
            final LineSettings s = configured.getOrDefault(k.site() + "/" + k.line(),
                    LineSettings.defaults(k.site(), k.line()));
            final double t = LineDay.tonnes(s.throughputKgH(), ms);
            tonnes += t;
            first = Math.min(first, f);
            last = Math.max(last, l);
            final ObjectNode ln = lines.addObject();
            ln.put("site", k.site());
            ln.put("line", k.line());
            ln.put("from", Instant.ofEpochMilli(f).toString());
            ln.put("to", Instant.ofEpochMilli(l).toString());
            ln.put("running_ms", ms);
            ln.put("throughput_kg_h", dec(s.throughputKgH(), 1));
            ln.put("tonnes", dec(t, 3));
        }
        content.put("from", Instant.ofEpochMilli(first).toString());
        content.put("to", Instant.ofEpochMilli(last).toString());
        content.put("tonnes_inspected", dec(tonnes, 3));
        final long total = removed.values().stream().mapToLong(Long::longValue).sum();
        content.put("removed_total", total);
        content.put("removed_per_tonne", tonnes > 0 ? dec(total / tonnes, 3) : null);
        final ObjectNode per = content.putObject("removed_per_class");
        final ObjectNode perT = content.putObject("removed_per_class_per_tonne");
        final double tonnesAll = tonnes;
        removed.forEach((k, v) -> {
            per.put(k, v);
            perT.put(k, tonnesAll > 0 ? dec(v / tonnesAll, 3) : null);
        });
        final var ms = content.putArray("model_versions");
        models.forEach(ms::add);
        content.put("audit_detections_excluded", auditDetections);
        content.put("method", "Tonnes = configured line throughput x time in running mode (audit, fault and offline "
                + "time excluded). Removed = contaminants ejected by the valves; detections while in audit mode "
                + "are excluded.");
        return Optional.of(content);
    }

    static List<long[]> merge(final List<long[]> iv) {
        final List<long[]> sorted = new ArrayList<>(iv);
        sorted.sort(Comparator.comparingLong(a -> a[0]));
        final List<long[]> out = new ArrayList<>();
        for (long[] a : sorted) {
            if (!out.isEmpty() && a[0] <= out.get(out.size() - 1)[1]) {
                out.get(out.size() - 1)[1] = Math.max(out.get(out.size() - 1)[1], a[1]);
            } else {
                out.add(new long[] {a[0], a[1]});
            }
        }
        return out;
    }

    static String dec(final double v, final int scale) {
        return BigDecimal.valueOf(v).setScale(scale, RoundingMode.HALF_UP).toPlainString();
    }

    public static String canonical(final JsonNode n) {
        try {
            // readTree/valueToTree keeps insertion order; sort object keys recursively
            return CANONICAL.writeValueAsString(sorted(n));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The same content, keys sorted, indented for people (the hash is over {@link #canonical}). */
    public static String canonicalPretty(final JsonNode n) {
        try {
            return CANONICAL.writerWithDefaultPrettyPrinter().writeValueAsString(sorted(n));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object sorted(final JsonNode n) {
        if (n.isObject()) {
            final TreeMap<String, Object> m = new TreeMap<>();
            n.fields().forEachRemaining(e -> m.put(e.getKey(), sorted(e.getValue())));
            return m;
        }
        if (n.isArray()) {
            final List<Object> l = new ArrayList<>();
            n.forEach(x -> l.add(sorted(x)));
            return l;
        }
        return n;
    }

    public static String sha256(final String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
