package dev.winnow.server.report;

import dev.winnow.server.store.Database;
import dev.winnow.server.store.StoreException;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Generated reports as kept: every version, newest first. */
public final class ReportArchive {

    /** A kept report without its documents. */
    public record Entry(String id, String site, LocalDate day, String zone, String trigger, Instant generatedAt,
                        long millis, String emailedTo) {
        /** For the API: the day as text. */
        public java.util.Map<String, Object> json() {
            final java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("id", id);
            m.put("site", site);
            m.put("day", day.toString());
            m.put("zone", zone);
            m.put("trigger", trigger);
            m.put("generatedAt", generatedAt.toString());
            m.put("millis", millis);
            m.put("emailedTo", emailedTo);
            return m;
        }
    }

    private final Database db;

    public ReportArchive(final Database db) {
        this.db = db;
    }

    public void save(final Entry e, final String html, final String csv, final byte[] pdf) {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement("INSERT INTO report_archive "
                + "(id, site, report_day, zone, trigger_kind, generated_at, millis, html, csv, pdf, emailed_to) "
                + "VALUES (?,?,?,?,?,?,?,?,?,?,?)")) {
            ps.setString(1, e.id());
            ps.setString(2, e.site());
            ps.setDate(3, Date.valueOf(e.day()));
            ps.setString(4, e.zone());
            ps.setString(5, e.trigger());
            ps.setObject(6, ReportEngine.ts(e.generatedAt()));
            ps.setLong(7, e.millis());
            ps.setString(8, html);
            ps.setString(9, csv);
            ps.setBytes(10, pdf);
            if (e.emailedTo() == null) {
                ps.setNull(11, Types.VARCHAR);
            } else {
                ps.setString(11, e.emailedTo());
            }
            ps.executeUpdate();
        } catch (SQLException ex) {
            throw new StoreException(ex);
        }
    }

    public void markEmailed(final String id, final String to) {
        try (Connection c = db.connection();
             PreparedStatement ps = c.prepareStatement("UPDATE report_archive SET emailed_to = ? WHERE id = ?")) {
            ps.setString(1, to);
            ps.setString(2, id);
            ps.executeUpdate();
        } catch (SQLException ex) {
            throw new StoreException(ex);
        }
    }

    /** Newest first; {@code site} null for every site. */
    public List<Entry> list(final String site, final int limit) {
        final String sql = "SELECT id, site, report_day, zone, trigger_kind, generated_at, millis, emailed_to FROM report_archive "
                + (site == null ? "" : "WHERE site = ? ") + "ORDER BY report_day DESC, generated_at DESC LIMIT ?";
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            if (site != null) {
                ps.setString(i++, site);
            }
            ps.setInt(i, limit);
            final List<Entry> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(entry(rs));
                }
            }
            return out;
        } catch (SQLException ex) {
            throw new StoreException(ex);
        }
    }

    /** True when some report of that site and day was made by the scheduler. */
    public boolean hasScheduled(final String site, final LocalDate day, final String zone) {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM "
                + "report_archive WHERE site = ? AND report_day = ? AND zone = ? AND trigger_kind = 'scheduled'")) {
            ps.setString(1, site);
            ps.setDate(2, Date.valueOf(day));
            ps.setString(3, zone);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1) > 0;
            }
        } catch (SQLException ex) {
            throw new StoreException(ex);
        }
    }

    public Optional<Entry> get(final String id) {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement("SELECT id, site, report_day, zone, "
                + "trigger_kind, generated_at, millis, emailed_to FROM report_archive WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(entry(rs)) : Optional.empty();
            }
        } catch (SQLException ex) {
            throw new StoreException(ex);
        }
    }

    public Optional<String> html(final String id) {
        return text(id, "html");
    }

    public Optional<String> csv(final String id) {
        return text(id, "csv");
    }

    public Optional<byte[]> pdf(final String id) {
        try (Connection c = db.connection();
             PreparedStatement ps = c.prepareStatement("SELECT pdf FROM report_archive WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getBytes(1)) : Optional.empty();
            }
        } catch (SQLException ex) {
            throw new StoreException(ex);
        }
    }

    private Optional<String> text(final String id, final String column) {
        try (Connection c = db.connection();
             PreparedStatement ps = c.prepareStatement("SELECT " + column + " FROM report_archive WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        } catch (SQLException ex) {
            throw new StoreException(ex);
        }
    }

    private static Entry entry(final ResultSet rs) throws SQLException {
        return new Entry(rs.getString(1), rs.getString(2), rs.getDate(3).toLocalDate(), rs.getString(4),
                rs.getString(5), rs.getObject(6, OffsetDateTime.class).toInstant(), rs.getLong(7), rs.getString(8));
    }
}
