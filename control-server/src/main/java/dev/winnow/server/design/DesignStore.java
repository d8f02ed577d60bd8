package dev.winnow.server.design;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winnow.server.store.Database;
import dev.winnow.server.store.StoreException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Studies, designs, judgements and A/B results in the database. */
public final class DesignStore {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Database db;

    /** A stored study. */
    public record StudyRow(long id, String name, String briefJson, int generations, Instant createdAt) {
    }

    /** A stored design with what people added to it. */
    public record Row(long studyId, Breeder.Design design, String name, String copyJson, boolean shortlisted,
                      Integer rating) {
    }

    public DesignStore(final Database db) {
        this.db = db;
    }

    private static OffsetDateTime ts(final Instant t) {
        return t.atOffset(ZoneOffset.UTC);
    }

    public synchronized long createStudy(final String name, final String briefJson, final Instant at) {
        try (Connection c = db.connection()) {
            long id;
            try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(MAX(id), 0) + 1 FROM design_studies");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                id = rs.getLong(1);
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO design_studies (id, name, brief_json, generations, created_at) VALUES (?, ?, ?, 0, ?)")) {
                ps.setLong(1, id);
                ps.setString(2, name);
                ps.setString(3, briefJson);
                ps.setObject(4, ts(at));
                ps.executeUpdate();
            }
            return id;
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    public List<StudyRow> studies() {
        return queryStudies("SELECT id, name, brief_json, generations, created_at FROM design_studies ORDER BY id DESC", null);
    }

    public StudyRow study(final long id) {
        final List<StudyRow> r = queryStudies(
                "SELECT id, name, brief_json, generations, created_at FROM design_studies WHERE id = ?", id);
        return r.isEmpty() ? null : r.get(0);
    }

    private List<StudyRow> queryStudies(final String sql, final Long id) {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            if (id != null) {
                ps.setLong(1, id);
            }
            final List<StudyRow> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new StudyRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getInt(4),
                            rs.getObject(5, OffsetDateTime.class).toInstant()));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    /** Stores a generation's designs and bumps the study's generation count, in one transaction. */
    public void addGeneration(final long studyId, final int generation, final List<Breeder.Design> designs,
                              final Instant at) {
        try (Connection c = db.connection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO designs (id, study_id, generation, idx, genome, "
                    + "parents, operator, scores_json, total, cell, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                int i = 0;
                for (final Breeder.Design d : designs) {
                    ps.setString(1, d.id());
                    ps.setLong(2, studyId);
                    ps.setInt(3, generation);
                    ps.setInt(4, i++);
                    ps.setString(5, d.genome().code());
                    ps.setString(6, String.join(",", d.parents()));
                    ps.setString(7, d.operator());
                    ps.setString(8, JSON.writeValueAsString(d.scores()));
                    ps.setDouble(9, d.total());
                    ps.setString(10, d.cell());
                    ps.setObject(11, ts(at));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE design_studies SET generations = ? WHERE id = ?")) {
                ps.setInt(1, generation + 1);
                ps.setLong(2, studyId);
                ps.executeUpdate();
            }
            c.commit();
        } catch (SQLException e) {
            throw new StoreException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final String ROW = "SELECT study_id, id, generation, genome, parents, operator, scores_json, total, "
            + "cell, name, copy_json, shortlisted, rating FROM designs ";

    public List<Row> designs(final long studyId) {
        return rows(ROW + "WHERE study_id = ? ORDER BY generation, idx", ps -> ps.setLong(1, studyId));
    }

    public Row design(final String id) {
        final List<Row> r = rows(ROW + "WHERE id = ?", ps -> ps.setString(1, id));
        return r.isEmpty() ? null : r.get(0);
    }

    /** Shortlisted designs of every study but {@code exceptStudy}. */
    public List<Row> shortlistedElsewhere(final long exceptStudy) {
        return rows(ROW + "WHERE shortlisted = TRUE AND study_id <> ?", ps -> ps.setLong(1, exceptStudy));
    }

    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private List<Row> rows(final String sql, final Binder b) {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            b.bind(ps);
            final List<Row> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    final String parents = rs.getString(5);
                    final List<Critics.Score> scores = JSON.readValue(rs.getString(7), new TypeReference<>() { });
                    final Breeder.Design d = new Breeder.Design(rs.getString(2), rs.getInt(3), Genome.parse(rs.getString(4)),
                            parents.isEmpty() ? List.of() : Arrays.asList(parents.split(",")), rs.getString(6), scores,
                            rs.getDouble(8), rs.getString(9), null);
                    final int rating = rs.getInt(13);
                    out.add(new Row(rs.getLong(1), d, rs.getString(10), rs.getString(11), rs.getBoolean(12),
                            rs.wasNull() ? null : rating));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StoreException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Records a judgement and keeps the design's current rating / shortlist flag. */
    public synchronized void judge(final String designId, final String kind, final int value, final Instant at) {
        try (Connection c = db.connection()) {
            c.setAutoCommit(false);
            long id;
            try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(MAX(id), 0) + 1 FROM design_judgements");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                id = rs.getLong(1);
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO design_judgements (id, design_id, kind, val, judged_at) VALUES (?, ?, ?, ?, ?)")) {
                ps.setLong(1, id);
                ps.setString(2, designId);
                ps.setString(3, kind);
                ps.setInt(4, value);
                ps.setObject(5, ts(at));
                ps.executeUpdate();
            }
            final String sql = "rating".equals(kind) ? "UPDATE designs SET rating = ? WHERE id = ?"
                    : "UPDATE designs SET shortlisted = ? WHERE id = ?";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                if ("rating".equals(kind)) {
                    ps.setInt(1, value);
                } else {
                    ps.setBoolean(1, value != 0);
                }
                ps.setString(2, designId);
                ps.executeUpdate();
            }
            c.commit();
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    public void setCopy(final String designId, final String name, final String copyJson) {
        try (Connection c = db.connection();
             PreparedStatement ps = c.prepareStatement("UPDATE designs SET name = ?, copy_json = ? WHERE id = ?")) {
            ps.setString(1, name);
            ps.setString(2, copyJson);
            ps.setString(3, designId);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    /** Replaces the A/B totals of the given designs (the CSV carries totals, so re-importing is harmless). */
    public void putAb(final Map<String, long[]> totals, final Instant at) {
        try (Connection c = db.connection()) {
            c.setAutoCommit(false);
            try (PreparedStatement del = c.prepareStatement("DELETE FROM design_ab WHERE design_id = ?");
                 PreparedStatement ins = c.prepareStatement(
                         "INSERT INTO design_ab (design_id, impressions, clicks, imported_at) VALUES (?, ?, ?, ?)")) {
                for (final var e : totals.entrySet()) {
                    del.setString(1, e.getKey());
                    del.executeUpdate();
                    ins.setString(1, e.getKey());
                    ins.setLong(2, e.getValue()[0]);
                    ins.setLong(3, e.getValue()[1]);
                    ins.setObject(4, ts(at));
                    ins.executeUpdate();
                }
            }
            c.commit();
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    /** Design id to {impressions, clicks} for a study. */
    public Map<String, long[]> ab(final long studyId) {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "SELECT a.design_id, a.impressions, a.clicks FROM design_ab a JOIN designs d ON d.id = a.design_id "
                        + "WHERE d.study_id = ?")) {
            ps.setLong(1, studyId);
            final Map<String, long[]> out = new HashMap<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), new long[] {rs.getLong(2), rs.getLong(3)});
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }
}
