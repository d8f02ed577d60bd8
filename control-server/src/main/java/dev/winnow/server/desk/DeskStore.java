package dev.winnow.server.desk;

import dev.winnow.server.store.Database;
import dev.winnow.server.store.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The desk's tables (V20, V50): documents and passages, orders, tickets, drafts, feedback, events, outbox. */
public final class DeskStore {

    private final Database db;

    public DeskStore(final Database db) {
        this.db = db;
    }

    public Database database() {
        return db;
    }

    // ------------------------------------------------------------------ documents

    public record Doc(String id, String name, String title, String kind, String contentType, int size, String sha256,
                      Instant uploadedAt, int passages) {
    }

    /** Inserts or replaces a document and all its passages in one transaction. */
    public void putDocument(final Doc d, final String body, final List<SearchIndex.Passage> passages) {
        tx(c -> {
            try (PreparedStatement del = c.prepareStatement("DELETE FROM desk_chunks WHERE doc_id = ?")) {
                del.setString(1, d.id());
                del.executeUpdate();
            }
            try (PreparedStatement del = c.prepareStatement("DELETE FROM desk_documents WHERE id = ? OR name = ?")) {
                del.setString(1, d.id());
                del.setString(2, d.name());
                del.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO desk_documents (id, name, title, kind, "
                    + "content_type, size_bytes, sha256, uploaded_at, body) VALUES (?,?,?,?,?,?,?,?,?)")) {
                ps.setString(1, d.id());
                ps.setString(2, d.name());
                ps.setString(3, cut(d.title(), 512));
                ps.setString(4, d.kind());
                ps.setString(5, cut(d.contentType(), 64));
                ps.setInt(6, d.size());
                ps.setString(7, d.sha256());
                ps.setObject(8, odt(d.uploadedAt()));
                ps.setString(9, body);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO desk_chunks (id, doc_id, ord, section, body, "
                    + "embedding) VALUES (?,?,?,?,?,?)")) {
                for (final SearchIndex.Passage p : passages) {
                    ps.setString(1, p.id());
                    ps.setString(2, d.id());
                    ps.setInt(3, p.ord());
                    ps.setString(4, cut(p.section(), 512));
                    ps.setString(5, p.text());
                    ps.setString(6, p.embedding() == null ? null : Embedder.encode(p.embedding()));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    public boolean deleteDocument(final String id) {
        return tx(c -> {
            try (PreparedStatement del = c.prepareStatement("DELETE FROM desk_chunks WHERE doc_id = ?")) {
                del.setString(1, id);
                del.executeUpdate();
            }
            try (PreparedStatement del = c.prepareStatement("DELETE FROM desk_documents WHERE id = ?")) {
                del.setString(1, id);
                return del.executeUpdate() > 0;
            }
        });
    }

    public List<Doc> documents() {
        return query("SELECT d.id, d.name, d.title, d.kind, d.content_type, d.size_bytes, d.sha256, d.uploaded_at, "
                + "(SELECT COUNT(*) FROM desk_chunks c WHERE c.doc_id = d.id) FROM desk_documents d ORDER BY d.name",
                ps -> { }, DeskStore::doc);
    }

    public Optional<Doc> document(final String id) {
        return query("SELECT d.id, d.name, d.title, d.kind, d.content_type, d.size_bytes, d.sha256, d.uploaded_at, "
                + "(SELECT COUNT(*) FROM desk_chunks c WHERE c.doc_id = d.id) FROM desk_documents d WHERE d.id = ?",
                ps -> ps.setString(1, id), DeskStore::doc).stream().findFirst();
    }

    public String documentBody(final String id) {
        return query("SELECT body FROM desk_documents WHERE id = ?", ps -> ps.setString(1, id), rs -> rs.getString(1))
                .stream().findFirst().orElse(null);
    }

    private static Doc doc(final ResultSet rs) throws SQLException {
        return new Doc(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getInt(6), rs.getString(7), instant(rs, 8), rs.getInt(9));
    }

    public List<SearchIndex.Passage> passages() {
        return query("SELECT c.id, c.doc_id, d.name, d.title, d.kind, c.ord, c.section, c.body, c.embedding "
                + "FROM desk_chunks c JOIN desk_documents d ON d.id = c.doc_id ORDER BY d.name, c.ord", ps -> { },
                rs -> new SearchIndex.Passage(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getInt(6), rs.getString(7), rs.getString(8),
                        Embedder.decode(rs.getString(9))));
    }

    // ------------------------------------------------------------------ orders

    public record Order(String id, String customer, String customerEmail, String product, String quantityKg,
                        String status, String lot, String orderedOn, String shipDate, String carrier,
                        String tracking, String notes, Instant updatedAt) {
    }

    public void putOrder(final Order o) {
        tx(c -> {
            try (PreparedStatement del = c.prepareStatement("DELETE FROM desk_orders WHERE id = ?")) {
                del.setString(1, o.id());
                del.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO desk_orders (id, customer, customer_email, "
                    + "product, quantity_kg, status, lot, ordered_on, ship_date, carrier, tracking, notes, updated_at) "
                    + "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
                ps.setString(1, o.id());
                ps.setString(2, o.customer());
                ps.setString(3, o.customerEmail());
                ps.setString(4, o.product());
                ps.setString(5, o.quantityKg());
                ps.setString(6, o.status());
                ps.setString(7, o.lot());
                ps.setString(8, o.orderedOn());
                ps.setString(9, o.shipDate());
                ps.setString(10, o.carrier());
                ps.setString(11, o.tracking());
                ps.setString(12, o.notes());
                ps.setObject(13, odt(o.updatedAt()));
                ps.executeUpdate();
            }
            return null;
        });
    }

    private static final String ORDER_COLS = "id, customer, customer_email, product, quantity_kg, status, lot, "
            + "ordered_on, ship_date, carrier, tracking, notes, updated_at";

    public Optional<Order> order(final String id) {
        return query("SELECT " + ORDER_COLS + " FROM desk_orders WHERE UPPER(id) = UPPER(?)", ps -> ps.setString(1, id),
                DeskStore::order).stream().findFirst();
    }

    public List<Order> orders(final String customerEmail) {
        if (customerEmail == null) {
            return query("SELECT " + ORDER_COLS + " FROM desk_orders ORDER BY id", ps -> { }, DeskStore::order);
        }
        return query("SELECT " + ORDER_COLS + " FROM desk_orders WHERE LOWER(customer_email) = LOWER(?) "
                + "ORDER BY ordered_on DESC, id DESC", ps -> ps.setString(1, customerEmail), DeskStore::order);
    }

    private static Order order(final ResultSet rs) throws SQLException {
        return new Order(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10),
                rs.getString(11), rs.getString(12), instant(rs, 13));
    }

    // ------------------------------------------------------------------ tickets

    public record Ticket(long id, String customerEmail, String customerName, String subject, String question,
                         String language, String channel, String status, Instant receivedAt, Instant approvedAt,
                         String approvedBy, Instant sentAt, String finalText, Boolean edited, String specialist,
                         String escalation) {
    }

    private static final String TICKET_COLS = "id, customer_email, customer_name, subject, question, language, "
            + "channel, status, received_at, approved_at, approved_by, sent_at, final_text, edited, specialist, escalation";

    public long newTicket(final String email, final String name, final String subject, final String question,
                          final String language, final String channel, final Instant at) {
        return tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO desk_tickets (customer_email, customer_name, "
                    + "subject, question, language, channel, status, received_at) VALUES (?,?,?,?,?,?,'new',?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, email);
                ps.setString(2, name);
                ps.setString(3, subject);
                ps.setString(4, question);
                ps.setString(5, language);
                ps.setString(6, channel);
                ps.setObject(7, odt(at));
                ps.executeUpdate();
                try (ResultSet k = ps.getGeneratedKeys()) {
                    k.next();
                    return k.getLong(1);
                }
            }
        });
    }

    public Optional<Ticket> ticket(final long id) {
        return query("SELECT " + TICKET_COLS + " FROM desk_tickets WHERE id = ?", ps -> ps.setLong(1, id),
                DeskStore::ticket).stream().findFirst();
    }

    public List<Ticket> tickets(final String status, final String email, final int limit) {
        final StringBuilder sql = new StringBuilder("SELECT " + TICKET_COLS + " FROM desk_tickets WHERE 1=1");
        if (status != null) {
            sql.append(" AND status = ?");
        }
        if (email != null) {
            sql.append(" AND LOWER(customer_email) = LOWER(?)");
        }
        sql.append(" ORDER BY received_at DESC, id DESC LIMIT ").append(limit);
        return query(sql.toString(), ps -> {
            int i = 1;
            if (status != null) {
                ps.setString(i++, status);
            }
            if (email != null) {
                ps.setString(i, email);
            }
        }, DeskStore::ticket);
    }

    private static Ticket ticket(final ResultSet rs) throws SQLException {
        final Object edited = rs.getObject(14);
        return new Ticket(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getString(7), rs.getString(8), instant(rs, 9), instant(rs, 10), rs.getString(11),
                instant(rs, 12), rs.getString(13), edited == null ? null : rs.getBoolean(14), rs.getString(15),
                rs.getString(16));
    }

    public void setStatus(final long id, final String status) {
        update("UPDATE desk_tickets SET status = ? WHERE id = ?", ps -> {
            ps.setString(1, status);
            ps.setLong(2, id);
        });
    }

    public void approve(final long id, final String text, final boolean edited, final String agent, final Instant at) {
        update("UPDATE desk_tickets SET status = 'approved', final_text = ?, edited = ?, approved_by = ?, "
                + "approved_at = ? WHERE id = ?", ps -> {
                    ps.setString(1, text);
                    ps.setBoolean(2, edited);
                    ps.setString(3, agent);
                    ps.setObject(4, odt(at));
                    ps.setLong(5, id);
                });
    }

    public void escalate(final long id, final String specialist, final String context) {
        update("UPDATE desk_tickets SET status = 'escalated', specialist = ?, escalation = ? WHERE id = ?", ps -> {
            ps.setString(1, specialist);
            ps.setString(2, context);
            ps.setLong(3, id);
        });
    }

    // ------------------------------------------------------------------ outbox (V50)

    /** An approved answer to e-mail and what became of it: queued, sending, sent or failed. */
    public record Mail(long id, long ticketId, String to, String subject, String body, String messageId, String state,
                       int attempts, Instant nextAttemptAt, Instant claimedAt, String lastError, String queuedBy,
                       Instant queuedAt, Instant sentAt) {
    }

    private static final String MAIL_COLS = "id, ticket_id, to_addr, subject, body, message_id, state, attempts, "
            + "next_attempt_at, claimed_at, last_error, queued_by, queued_at, sent_at";

    private static Mail mail(final ResultSet rs) throws SQLException {
        return new Mail(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getString(7), rs.getInt(8), instant(rs, 9), instant(rs, 10), rs.getString(11),
                rs.getString(12), instant(rs, 13), instant(rs, 14));
    }

    /**
     * Queues an answer and marks its question {@code sending}, in one transaction, only while the question is in
     * one of {@code fromStatuses} (so two agents pressing Send at once queue it once).
     *
     * @return the queued mail, or empty when the question had left those statuses
     */
    public Optional<Mail> queueMail(final long ticketId, final List<String> fromStatuses, final String to,
                                    final String subject, final String body, final String messageId,
                                    final String queuedBy, final Instant at) {
        return tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE desk_tickets SET status = 'sending' WHERE id = ? AND "
                    + "status IN (" + String.join(",", fromStatuses.stream().map(x -> "?").toList()) + ")")) {
                ps.setLong(1, ticketId);
                for (int i = 0; i < fromStatuses.size(); i++) {
                    ps.setString(i + 2, fromStatuses.get(i));
                }
                if (ps.executeUpdate() == 0) {
                    return Optional.<Mail>empty();
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO desk_outbox (ticket_id, to_addr, subject, body, "
                    + "message_id, state, attempts, next_attempt_at, queued_by, queued_at) "
                    + "VALUES (?,?,?,?,?,'queued',0,?,?,?)", Statement.RETURN_GENERATED_KEYS)) {
                ps.setLong(1, ticketId);
                ps.setString(2, to);
                ps.setString(3, cut(subject, 512));
                ps.setString(4, body);
                ps.setString(5, messageId);
                ps.setObject(6, odt(at));
                ps.setString(7, cut(queuedBy, 128));
                ps.setObject(8, odt(at));
                ps.executeUpdate();
                try (ResultSet k = ps.getGeneratedKeys()) {
                    k.next();
                    return Optional.of(new Mail(k.getLong(1), ticketId, to, subject, body, messageId, "queued", 0, at,
                            null, null, queuedBy, at, null));
                }
            }
        });
    }

    /** A failed mail queued again (same text, same Message-ID); its question goes back to {@code sending}. */
    public boolean requeueMail(final long mailId, final long ticketId, final Instant at) {
        return tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE desk_outbox SET state = 'queued', next_attempt_at = ?, "
                    + "claimed_at = NULL WHERE id = ? AND state = 'failed'")) {
                ps.setObject(1, odt(at));
                ps.setLong(2, mailId);
                if (ps.executeUpdate() == 0) {
                    return false;
                }
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE desk_tickets SET status = 'sending' WHERE id = ?")) {
                ps.setLong(1, ticketId);
                ps.executeUpdate();
            }
            return true;
        });
    }

    /**
     * Mails to attempt now: queued ones that are due, and ones claimed before {@code staleBefore} whose sender
     * never reported back (the server stopped mid-send), oldest first.
     */
    public List<Mail> dueMails(final Instant now, final Instant staleBefore, final int limit) {
        return query("SELECT " + MAIL_COLS + " FROM desk_outbox WHERE (state = 'queued' AND next_attempt_at <= ?) "
                + "OR (state = 'sending' AND claimed_at < ?) ORDER BY next_attempt_at, id LIMIT " + limit, ps -> {
                    ps.setObject(1, odt(now));
                    ps.setObject(2, odt(staleBefore));
                }, DeskStore::mail);
    }

    /** Takes a due mail for this sender; false when another sender took it first or it is not due. */
    public boolean claimMail(final long id, final Instant now, final Instant staleBefore) {
        return updateCount("UPDATE desk_outbox SET state = 'sending', claimed_at = ? WHERE id = ? AND "
                + "((state = 'queued' AND next_attempt_at <= ?) OR (state = 'sending' AND claimed_at < ?))", ps -> {
                    ps.setObject(1, odt(now));
                    ps.setLong(2, id);
                    ps.setObject(3, odt(now));
                    ps.setObject(4, odt(staleBefore));
                }) == 1;
    }

    /** The SMTP server accepted the mail: the mail and its question are sent. */
    public void mailSent(final Mail m, final Instant at) {
        tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE desk_outbox SET state = 'sent', sent_at = ?, "
                    + "attempts = attempts + 1, last_error = NULL WHERE id = ?")) {
                ps.setObject(1, odt(at));
                ps.setLong(2, m.id());
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE desk_tickets SET status = 'sent', sent_at = ? "
                    + "WHERE id = ?")) {
                ps.setObject(1, odt(at));
                ps.setLong(2, m.ticketId());
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** An attempt failed; the mail waits for {@code next}. */
    public void mailRetry(final Mail m, final String error, final Instant next) {
        update("UPDATE desk_outbox SET state = 'queued', attempts = attempts + 1, last_error = ?, next_attempt_at = ?, "
                + "claimed_at = NULL WHERE id = ?", ps -> {
                    ps.setString(1, cut(error, 2048));
                    ps.setObject(2, odt(next));
                    ps.setLong(3, m.id());
                });
    }

    /** No more attempts: the mail failed and its question shows {@code send_failed} until an agent acts. */
    public void mailFailed(final Mail m, final String error) {
        tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE desk_outbox SET state = 'failed', "
                    + "attempts = attempts + 1, last_error = ?, claimed_at = NULL WHERE id = ?")) {
                ps.setString(1, cut(error, 2048));
                ps.setLong(2, m.id());
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE desk_tickets SET status = 'send_failed' "
                    + "WHERE id = ? AND status = 'sending'")) {
                ps.setLong(1, m.ticketId());
                ps.executeUpdate();
            }
            return null;
        });
    }

    public Optional<Mail> mail(final long id) {
        return query("SELECT " + MAIL_COLS + " FROM desk_outbox WHERE id = ?", ps -> ps.setLong(1, id), DeskStore::mail)
                .stream().findFirst();
    }

    /** Mails of one question (or all when null) in one state (or any when null), newest first. */
    public List<Mail> mails(final Long ticketId, final String state, final int limit) {
        final StringBuilder sql = new StringBuilder("SELECT " + MAIL_COLS + " FROM desk_outbox WHERE 1=1");
        if (ticketId != null) {
            sql.append(" AND ticket_id = ?");
        }
        if (state != null) {
            sql.append(" AND state = ?");
        }
        sql.append(" ORDER BY queued_at DESC, id DESC LIMIT ").append(limit);
        return query(sql.toString(), ps -> {
            int i = 1;
            if (ticketId != null) {
                ps.setLong(i++, ticketId);
            }
            if (state != null) {
                ps.setString(i, state);
            }
        }, DeskStore::mail);
    }

    // ------------------------------------------------------------------ drafts, feedback, events

    public record Draft(long id, long ticketId, int version, String mode, String author, String body, String sources,
                        String guard, Instant createdAt) {
    }

    public Draft addDraft(final long ticketId, final String mode, final String author, final String body,
                          final String sourcesJson, final String guardJson, final Instant at) {
        return tx(c -> {
            int version = 1;
            try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(MAX(version), 0) FROM desk_drafts "
                    + "WHERE ticket_id = ?")) {
                ps.setLong(1, ticketId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    version = rs.getInt(1) + 1;
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO desk_drafts (ticket_id, version, mode, author, "
                    + "body, sources, guard, created_at) VALUES (?,?,?,?,?,?,?,?)", Statement.RETURN_GENERATED_KEYS)) {
                ps.setLong(1, ticketId);
                ps.setInt(2, version);
                ps.setString(3, mode);
                ps.setString(4, author);
                ps.setString(5, body);
                ps.setString(6, sourcesJson);
                ps.setString(7, guardJson);
                ps.setObject(8, odt(at));
                ps.executeUpdate();
                try (ResultSet k = ps.getGeneratedKeys()) {
                    k.next();
                    return new Draft(k.getLong(1), ticketId, version, mode, author, body, sourcesJson, guardJson, at);
                }
            }
        });
    }

    public List<Draft> drafts(final long ticketId) {
        return query("SELECT id, ticket_id, version, mode, author, body, sources, guard, created_at FROM desk_drafts "
                + "WHERE ticket_id = ? ORDER BY version", ps -> ps.setLong(1, ticketId),
                rs -> new Draft(rs.getLong(1), rs.getLong(2), rs.getInt(3), rs.getString(4), rs.getString(5),
                        rs.getString(6), rs.getString(7), rs.getString(8), instant(rs, 9)));
    }

    public void feedback(final long ticketId, final Long draftId, final int rating, final String comment,
                         final String author, final Instant at) {
        update("INSERT INTO desk_feedback (ticket_id, draft_id, rating, comment, author, created_at) "
                + "VALUES (?,?,?,?,?,?)", ps -> {
                    ps.setLong(1, ticketId);
                    if (draftId == null) {
                        ps.setNull(2, Types.BIGINT);
                    } else {
                        ps.setLong(2, draftId);
                    }
                    ps.setInt(3, rating);
                    ps.setString(4, cut(comment, 2048));
                    ps.setString(5, author);
                    ps.setObject(6, odt(at));
                });
    }

    public List<Map<String, Object>> feedback(final long ticketId) {
        return query("SELECT draft_id, rating, comment, author, created_at FROM desk_feedback WHERE ticket_id = ? "
                + "ORDER BY created_at, id", ps -> ps.setLong(1, ticketId), rs -> {
                    final Map<String, Object> m = new LinkedHashMap<>();
                    m.put("draft_id", rs.getObject(1));
                    m.put("rating", rs.getInt(2));
                    m.put("comment", rs.getString(3));
                    m.put("author", rs.getString(4));
                    m.put("at", instant(rs, 5));
                    return m;
                });
    }

    public void event(final long ticketId, final String actor, final String action, final String detail,
                      final Instant at) {
        update("INSERT INTO desk_events (ticket_id, at, actor, action, detail) VALUES (?,?,?,?,?)", ps -> {
            ps.setLong(1, ticketId);
            ps.setObject(2, odt(at));
            ps.setString(3, cut(actor, 128));
            ps.setString(4, action);
            ps.setString(5, detail);
        });
    }

    public List<Map<String, Object>> events(final long ticketId) {
        return query("SELECT at, actor, action, detail FROM desk_events WHERE ticket_id = ? ORDER BY at, id",
                ps -> ps.setLong(1, ticketId), rs -> {
                    final Map<String, Object> m = new LinkedHashMap<>();
                    m.put("at", instant(rs, 1));
                    m.put("actor", rs.getString(2));
                    m.put("action", rs.getString(3));
                    m.put("detail", rs.getString(4));
                    return m;
                });
    }

    /** Figures for the analytics panel. */
    public Map<String, Object> analytics() {
        final Map<String, Object> m = new LinkedHashMap<>();
        final List<Ticket> all = tickets(null, null, 100_000);
        final Map<String, Integer> byStatus = new LinkedHashMap<>();
        final List<Long> secs = new ArrayList<>();
        int approved = 0;
        int unedited = 0;
        for (final Ticket t : all) {
            byStatus.merge(t.status(), 1, Integer::sum);
            if (t.approvedAt() != null) {
                approved++;
                if (Boolean.FALSE.equals(t.edited())) {
                    unedited++;
                }
            }
            if (t.sentAt() != null) {
                secs.add(t.sentAt().getEpochSecond() - t.receivedAt().getEpochSecond());
            }
        }
        secs.sort(Long::compare);
        m.put("tickets", all.size());
        m.put("by_status", byStatus);
        m.put("answered", secs.size());
        m.put("time_to_answer_median_s", secs.isEmpty() ? null : secs.get(secs.size() / 2));
        m.put("time_to_answer_mean_s", secs.isEmpty() ? null
                : Math.round(secs.stream().mapToLong(Long::longValue).average().orElse(0)));
        m.put("approved", approved);
        m.put("approved_without_edits", unedited);
        m.put("share_approved_without_edits", approved == 0 ? null : Math.round(1000.0 * unedited / approved) / 1000.0);
        final List<Integer> ratings = query("SELECT rating FROM desk_feedback", ps -> { }, rs -> rs.getInt(1));
        m.put("feedback", Map.of("up", ratings.stream().filter(r -> r > 0).count(),
                "down", ratings.stream().filter(r -> r < 0).count()));
        return m;
    }

    // ------------------------------------------------------------------ plumbing

    interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    interface Row<T> {
        T read(ResultSet rs) throws SQLException;
    }

    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    <T> List<T> query(final String sql, final Binder b, final Row<T> row) {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            b.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                final List<T> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(row.read(rs));
                }
                return out;
            }
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    private int updateCount(final String sql, final Binder b) {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            b.bind(ps);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    private void update(final String sql, final Binder b) {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            b.bind(ps);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    private <T> T tx(final Work<T> w) {
        try (Connection c = db.connection()) {
            c.setAutoCommit(false);
            try {
                final T r = w.run(c);
                c.commit();
                return r;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    static OffsetDateTime odt(final Instant i) {
        return i == null ? null : OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
    }

    static Instant instant(final ResultSet rs, final int col) throws SQLException {
        final OffsetDateTime t = rs.getObject(col, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    static String cut(final String s, final int n) {
        return s == null || s.length() <= n ? s : s.substring(0, n);
    }
}
