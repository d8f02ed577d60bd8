package dev.winnow.server.report;

import dev.winnow.server.store.Database;
import dev.winnow.server.store.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;

/**
 * When the daily report is made and who gets it. The report of day D is made at {@code runAt} on
 * D + 1 in {@code zone}. The SMTP password is never stored: it comes from {@code WINNOW_SMTP_PASSWORD}.
 *
 * @param recipients empty: no e-mail
 * @param smtpHost   null: no e-mail
 */
public record ReportSettings(ZoneId zone, LocalTime runAt, boolean enabled, List<String> recipients, String smtpHost,
                             int smtpPort, String smtpFrom, String smtpUser, boolean smtpStartTls) {

    public ReportSettings {
        recipients = List.copyOf(recipients);
    }

    public boolean mailConfigured() {
        return smtpHost != null && !smtpHost.isBlank() && !recipients.isEmpty();
    }

    /** Reads and writes the single row of {@code report_settings}. */
    public static final class Store {
        private final Database db;

        public Store(final Database db) {
            this.db = db;
        }

        public ReportSettings get() {
            try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement("SELECT zone, run_at, "
                    + "enabled, recipients, smtp_host, smtp_port, smtp_from, smtp_user, smtp_starttls "
                    + "FROM report_settings WHERE id = 1"); ResultSet rs = ps.executeQuery()) {
                rs.next();
                final String rec = rs.getString(4);
                return new ReportSettings(ZoneId.of(rs.getString(1)), LocalTime.parse(rs.getString(2)),
                        rs.getBoolean(3), rec == null || rec.isBlank() ? List.of()
                        : Arrays.stream(rec.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList(),
                        rs.getString(5), rs.getObject(6) == null ? 25 : rs.getInt(6), rs.getString(7),
                        rs.getString(8), rs.getBoolean(9));
            } catch (SQLException e) {
                throw new StoreException(e);
            }
        }

        public void put(final ReportSettings s, final Instant now) {
            try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement("UPDATE report_settings "
                    + "SET zone = ?, run_at = ?, enabled = ?, recipients = ?, smtp_host = ?, smtp_port = ?, "
                    + "smtp_from = ?, smtp_user = ?, smtp_starttls = ?, updated_at = ? WHERE id = 1")) {
                ps.setString(1, s.zone().getId());
                ps.setString(2, s.runAt().toString().substring(0, 5));
                ps.setBoolean(3, s.enabled());
                ps.setString(4, String.join(",", s.recipients()));
                ps.setString(5, s.smtpHost());
                ps.setInt(6, s.smtpPort());
                if (s.smtpFrom() == null) {
                    ps.setNull(7, Types.VARCHAR);
                } else {
                    ps.setString(7, s.smtpFrom());
                }
                if (s.smtpUser() == null) {
                    ps.setNull(8, Types.VARCHAR);
                } else {
                    ps.setString(8, s.smtpUser());
                }
                ps.setBoolean(9, s.smtpStartTls());
                ps.setObject(10, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
                ps.executeUpdate();
            } catch (SQLException e) {
                throw new StoreException(e);
            }
        }
    }
}
