package dev.winnow.server.report;

import dev.winnow.server.store.Database;
import dev.winnow.server.store.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;

/**
 * What a line produces, for the report's mill units.
 *
 * @param throughputKgH    product through the line per running hour, kg
 * @param gramsPerEjection good cotton blown out with each ejection, g
 * @param configured       false when these are the defaults (the report says so)
 */
public record LineSettings(String site, String line, double throughputKgH, double gramsPerEjection,
                           boolean configured) {

    public static final double DEFAULT_THROUGHPUT_KG_H = 1000;
    public static final double DEFAULT_GRAMS_PER_EJECTION = 5;

    public LineSettings {
        if (!(throughputKgH >= 0) || !(gramsPerEjection >= 0) || Double.isInfinite(throughputKgH)
                || Double.isInfinite(gramsPerEjection)) {
            throw new IllegalArgumentException("throughput_kg_h and grams_per_ejection must be finite and >= 0");
        }
    }

    public static LineSettings defaults(final String site, final String line) {
        return new LineSettings(site, line, DEFAULT_THROUGHPUT_KG_H, DEFAULT_GRAMS_PER_EJECTION, false);
    }

    /** Reads and writes {@code line_settings}. */
    public static final class Store {
        private final Database db;

        public Store(final Database db) {
            this.db = db;
        }

        public LineSettings get(final String site, final String line) {
            return all().getOrDefault(site + "/" + line, defaults(site, line));
        }

        /** Every configured line, by {@code site/line}. */
        public Map<String, LineSettings> all() {
            final Map<String, LineSettings> out = new HashMap<>();
            try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                    "SELECT site, line, throughput_kg_h, grams_per_ejection FROM line_settings");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1) + "/" + rs.getString(2), new LineSettings(rs.getString(1),
                            rs.getString(2), rs.getDouble(3), rs.getDouble(4), true));
                }
            } catch (SQLException e) {
                throw new StoreException(e);
            }
            return out;
        }

        public void put(final LineSettings s, final Instant now) {
            try (Connection c = db.connection()) {
                try (PreparedStatement up = c.prepareStatement("UPDATE line_settings SET throughput_kg_h = ?, "
                        + "grams_per_ejection = ?, updated_at = ? WHERE site = ? AND line = ?")) {
                    up.setDouble(1, s.throughputKgH());
                    up.setDouble(2, s.gramsPerEjection());
                    up.setObject(3, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
                    up.setString(4, s.site());
                    up.setString(5, s.line());
                    if (up.executeUpdate() > 0) {
                        return;
                    }
                }
                try (PreparedStatement ins = c.prepareStatement("INSERT INTO line_settings (site, line, "
                        + "throughput_kg_h, grams_per_ejection, updated_at) VALUES (?,?,?,?,?)")) {
                    ins.setString(1, s.site());
                    ins.setString(2, s.line());
                    ins.setDouble(3, s.throughputKgH());
                    ins.setDouble(4, s.gramsPerEjection());
                    ins.setObject(5, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
                    ins.executeUpdate();
                }
            } catch (SQLException e) {
                throw new StoreException(e);
            }
        }
    }
}
