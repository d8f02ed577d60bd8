package dev.winnow.server.desk;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.winnow.server.llm.LlmProvider;
import dev.winnow.server.store.Database;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The customer desk: knowledge, live data, drafting and the agent's workflow (new → drafted →
 * approved → sending → sent, or send_failed until sent again; or escalated to a named specialist).
 * Nothing is sent without a person's approval, and an approved answer is e-mailed or shown as failed.
 */
public final class Desk {

    static final ObjectMapper JSON = dev.winnow.server.line.Json.MAPPER.copy()
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    /** Shipped sample documents (classpath {@code /desk/samples/}). */
    public static final List<String> SAMPLE_DOCS = List.of("winnow-cotton-spec-sheet.md", "returns-policy.html",
            "customer-faq.md", "shipping-and-claims.pdf");

    private final DeskStore store;
    private final Knowledge knowledge;
    private final Answerer answerer;
    private final Clock clock;
    private final Outbox outbox;

    public Desk(final Database db, final Clock clock, final LlmProvider llm, final LotTool lots, final Embedder embedder,
                final int maxUploadBytes) {
        this.store = new DeskStore(db);
        this.clock = clock;
        this.knowledge = new Knowledge(store, new SearchIndex(embedder), clock, maxUploadBytes);
        this.answerer = new Answerer(store, knowledge.index(), lots, llm);
        this.outbox = Outbox.of(store, clock);
        knowledge.reload();
    }

    /** The desk of a server: MiniLM embeddings, certificates from the reports, the shared LLM provider. */
    public static Desk open(final Database db, final Clock clock, final LlmProvider llm) {
        return new Desk(db, clock, llm, LotTool.of(db, clock), Embedder.miniLm(), maxUpload());
    }

    static int maxUpload() {
        final String p = System.getProperty("winnow.desk.max-upload-bytes", System.getenv("WINNOW_DESK_MAX_UPLOAD_BYTES"));
        try {
            return p == null || p.isBlank() ? Knowledge.DEFAULT_MAX_BYTES : Integer.parseInt(p.strip());
        } catch (NumberFormatException e) {
            return Knowledge.DEFAULT_MAX_BYTES;
        }
    }

    public DeskStore store() {
        return store;
    }

    public Knowledge knowledge() {
        return knowledge;
    }

    public Answerer answerer() {
        return answerer;
    }

    public Outbox outbox() {
        return outbox;
    }

    // ------------------------------------------------------------------ samples and orders

    /** Uploads the shipped sample documents and sample orders; returns the documents stored. */
    public List<DeskStore.Doc> loadSamples() {
        final List<DeskStore.Doc> out = new ArrayList<>();
        for (final String name : SAMPLE_DOCS) {
            out.add(knowledge.upload(name, null, resource("/desk/samples/" + name), null, null));
        }
        importOrdersCsv(new String(resource("/desk/samples/orders.csv"), StandardCharsets.UTF_8));
        return out;
    }

    static byte[] resource(final String path) {
        try (InputStream in = Desk.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + path);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Imports orders from CSV with a header row; columns (any order, unknown ones ignored): id,
     * customer, customer_email, product, quantity_kg, status, lot, ordered_on, ship_date, carrier,
     * tracking, notes. An existing order of the same id is replaced.
     *
     * @return the number of orders imported
     */
    public int importOrdersCsv(final String csv) {
        final List<List<String>> rows = Csv.parse(csv);
        if (rows.isEmpty()) {
            throw new DeskException(400, "the CSV is empty");
        }
        final List<String> head = rows.get(0).stream().map(h -> h.strip().toLowerCase(Locale.ROOT)).toList();
        if (!head.contains("id") || !head.contains("status") || !head.contains("customer")) {
            throw new DeskException(400, "the CSV's header must name at least id, customer and status (found " + head + ")");
        }
        int n = 0;
        for (int r = 1; r < rows.size(); r++) {
            final List<String> row = rows.get(r);
            if (row.stream().allMatch(String::isBlank)) {
                continue;
            }
            final Map<String, String> m = new LinkedHashMap<>();
            for (int i = 0; i < head.size() && i < row.size(); i++) {
                m.put(head.get(i), row.get(i).isBlank() ? null : row.get(i).strip());
            }
            try {
                putOrder(m);
            } catch (DeskException e) {
                throw new DeskException(400, "CSV row " + (r + 1) + ": " + e.getMessage());
            }
            n++;
        }
        return n;
    }

    public DeskStore.Order putOrder(final Map<String, String> m) {
        final String id = m.get("id");
        if (id == null || !id.matches("[A-Za-z0-9._/-]{1,64}")) {
            throw new DeskException(400, "order id must be 1..64 characters of A-Z a-z 0-9 . _ / -");
        }
        if (m.get("customer") == null || m.get("status") == null) {
            throw new DeskException(400, "an order needs customer and status");
        }
        final DeskStore.Order o = new DeskStore.Order(id, m.get("customer"), m.get("customer_email"), m.get("product"),
                m.get("quantity_kg"), m.get("status").toLowerCase(Locale.ROOT).replace(' ', '_'), m.get("lot"),
                m.get("ordered_on"), m.get("ship_date"), m.get("carrier"), m.get("tracking"), m.get("notes"),
                clock.instant());
        store.putOrder(o);
        return o;
    }

    // ------------------------------------------------------------------ workflow

    /** A new customer question: stored, drafted. */
    public Map<String, Object> receive(final String email, final String name, final String subject,
                                       final String question, final String channel) {
        if (question == null || question.isBlank()) {
            throw new DeskException(400, "the question is empty");
        }
        if (question.length() > 20_000) {
            throw new DeskException(413, "the question is longer than 20,000 characters");
        }
        if (email == null || email.isBlank() || email.length() > 256) {
            throw new DeskException(400, "customer_email is needed (1..256 characters), so the history is kept per customer");
        }
        final Instant now = clock.instant();
        final long id = store.newTicket(email.strip(), blankToNull(name), blankToNull(subject), question.strip(),
                Lang.detect(question), channel == null ? "api" : channel, now);
        store.event(id, channel == null ? "api" : channel, "received", null, now);
        draft(id, true);
        return view(id);
    }

    /** Drafts (again) for a ticket. */
    public DeskStore.Draft draft(final long id, final boolean preferLlm) {
        final DeskStore.Ticket t = ticket(id);
        final long t0 = System.nanoTime();
        final Answerer.Answer a = answerer.answer(t.question(), t.customerEmail(), t.customerName(), preferLlm);
        final DeskStore.Draft d = store.addDraft(id, a.mode(), "assistant", a.body(), json(a.sources()),
                json(guardView(a.guard(), a.note(), a.known())), clock.instant());
        if ("new".equals(t.status()) || "drafted".equals(t.status())) {
            store.setStatus(id, "drafted");
        }
        store.event(id, "assistant", "drafted", a.mode() + " draft v" + d.version() + " in "
                + (System.nanoTime() - t0) / 1_000_000 + " ms" + (a.guard().ok() ? "" : "; guard flags "
                + a.guard().flags().size()) + (a.note() == null ? "" : "; " + a.note()), clock.instant());
        return d;
    }

    /** The agent's edit: a new version with the same sources, checked again. */
    public DeskStore.Draft edit(final long id, final String text, final String agent) {
        final DeskStore.Ticket t = ticket(id);
        open(t);
        final DeskStore.Draft last = lastDraft(id);
        final List<Source> sources = sources(last);
        final NumberGuard.Result g = NumberGuard.check(text, sources);
        final DeskStore.Draft d = store.addDraft(id, "edit", agent(agent), text, last.sources(),
                json(guardView(g, null, true)), clock.instant());
        store.event(id, agent(agent), "edited", "v" + d.version() + (g.ok() ? "" : "; guard flags " + g.flags().size()),
                clock.instant());
        return d;
    }

    /**
     * The agent adds a document passage to the draft's sources (found with the desk's search), so a line they add
     * can cite it and the guard checks that line's figures against it. A new version; the text is the agent's
     * current text (nullable: the last draft's), the passage's number is returned in {@code cited}.
     */
    public Map<String, Object> cite(final long id, final String passageId, final String text, final String agent) {
        final DeskStore.Ticket t = ticket(id);
        open(t);
        final SearchIndex.Passage p = knowledge.index().passage(passageId == null ? "" : passageId)
                .orElseThrow(() -> new DeskException(404, "no document passage '" + passageId
                        + "' (search the documents for its id, e.g. claims-policy.md#1)"));
        final DeskStore.Draft last = lastDraft(id);
        final List<Source> sources = new java.util.ArrayList<>(sources(last));
        final Source s = Answerer.passageSource(p);
        int n = 1 + sources.stream().map(Source::key).toList().indexOf(s.key());
        if (n == 0) {
            sources.add(s);
            n = sources.size();
        }
        final String body = text == null ? last.body() : text;
        final NumberGuard.Result g = NumberGuard.check(body, sources);
        final DeskStore.Draft d = store.addDraft(id, "edit", agent(agent), body, json(sources),
                json(guardView(g, null, true)), clock.instant());
        store.event(id, agent(agent), "cited", "v" + d.version() + ": [" + n + "] " + p.docName() + " › " + p.section(),
                clock.instant());
        final Map<String, Object> v = new LinkedHashMap<>(view(id));
        v.put("cited", n);
        return v;
    }

    /** Approves the latest draft (or {@code text}, saved as an edit first). Refused while the guard flags figures unless forced. */
    public Map<String, Object> approve(final long id, final String text, final String agent, final boolean force) {
        final DeskStore.Ticket t = ticket(id);
        open(t);
        DeskStore.Draft d = lastDraft(id);
        if (text != null && !text.strip().equals(d.body().strip())) {
            d = edit(id, text, agent);
        }
        final Map<String, Object> g = readMap(d.guard());
        if (!force && !((List<?>) g.getOrDefault("flags", List.of())).isEmpty()) {
            throw new DeskException(409, "the number guard flags figures its sources do not contain; correct them "
                    + "or approve with force=true");
        }
        final DeskStore.Draft first = store.drafts(id).stream().filter(x -> !"edit".equals(x.mode()))
                .reduce((a, b) -> b).orElse(d);
        final boolean edited = !first.body().strip().equals(d.body().strip());
        store.approve(id, d.body(), edited, agent(agent), clock.instant());
        store.event(id, agent(agent), "approved", "v" + d.version() + (edited ? " (edited)" : " (as drafted)")
                + (force && !((List<?>) g.getOrDefault("flags", List.of())).isEmpty() ? "; guard overridden" : ""),
                clock.instant());
        return view(id);
    }

    /**
     * E-mails the approved answer to the customer: written to the outbox (the question becomes {@code sending}),
     * then attempted at once; a failed attempt is retried by the outbox's timer (see {@link Outbox}). A question
     * whose mail failed ({@code send_failed}) is sent again with the same text. Refused, changing nothing, when no
     * SMTP server is configured or the customer's address cannot be mailed.
     */
    public Map<String, Object> send(final long id, final String agent) {
        final DeskStore.Ticket t = ticket(id);
        if ("sending".equals(t.status())) {
            final DeskStore.Mail m = store.mails(id, null, 1).stream().findFirst().orElse(null);
            throw new DeskException(409, "question " + id + " is already being sent" + (m == null || m.lastError() == null
                    ? "" : " (attempt " + m.attempts() + " failed: " + m.lastError() + "; next attempt at "
                    + m.nextAttemptAt() + ")"));
        }
        if (!"approved".equals(t.status()) && !"send_failed".equals(t.status())) {
            throw new DeskException(409, "only an approved answer can be sent (this one is " + t.status() + ")");
        }
        final Outbox.Smtp smtp = outbox.smtp();
        if (!smtp.configured()) {
            throw new DeskException(409, "no SMTP server is configured, so nothing can be e-mailed: set smtp_host "
                    + "(and smtp_port, smtp_from) with PUT /api/report-settings; the answer stays approved");
        }
        try {
            new jakarta.mail.internet.InternetAddress(t.customerEmail(), true).validate();
        } catch (jakarta.mail.internet.AddressException e) {
            throw new DeskException(409, "the customer's address '" + t.customerEmail() + "' cannot be e-mailed ("
                    + e.getMessage() + "); nothing was sent");
        }
        final Instant now = clock.instant();
        final long mailId;
        if ("send_failed".equals(t.status())) {
            final DeskStore.Mail failed = store.mails(id, "failed", 1).stream().findFirst()
                    .orElseThrow(() -> new DeskException(409, "question " + id + " has no failed mail to send again"));
            if (!store.requeueMail(failed.id(), id, now)) {
                throw new DeskException(409, "question " + id + "'s mail is already queued again");
            }
            mailId = failed.id();
            store.event(id, agent(agent), "send again", "to " + t.customerEmail() + " after " + failed.attempts()
                    + " failed attempt(s)", now);
        } else {
            final boolean zh = "zh".equals(t.language());
            final String subject = t.subject() != null ? "Re: " + t.subject()
                    : zh ? "关于您的问题（编号 " + id + "）的答复" : "Your question #" + id;
            final DeskStore.Mail m = store.queueMail(id, List.of("approved"), t.customerEmail().strip(), subject,
                    mailBody(t, sources(lastDraft(id))), "<desk-" + id + "-" + java.util.UUID.randomUUID() + "@winnow>",
                    agent(agent), now).orElseThrow(() -> new DeskException(409, "question " + id
                    + " is no longer approved (another agent acted on it)"));
            mailId = m.id();
            store.event(id, agent(agent), "queued", "to " + m.to() + " via " + smtp.host() + ":" + smtp.port(), now);
        }
        outbox.attempt(mailId);
        return view(id);
    }

    /**
     * The e-mail: the approved answer, the sources its lines cite (by title: the links are the desk's own), and
     * the customer's question quoted.
     */
    static String mailBody(final DeskStore.Ticket t, final List<Source> sources) {
        final boolean zh = "zh".equals(t.language());
        final StringBuilder b = new StringBuilder(t.finalText().strip()).append("\n");
        final java.util.TreeSet<Integer> cited = new java.util.TreeSet<>();
        final java.util.regex.Matcher m = NumberGuard.MARKER.matcher(t.finalText());
        while (m.find()) {
            for (final String n : m.group(1).split(",")) {
                final int k = Integer.parseInt(n.strip());
                if (k >= 1 && k <= sources.size()) {
                    cited.add(k);
                }
            }
        }
        if (!cited.isEmpty()) {
            b.append("\n").append(zh ? "来源：" : "Sources:").append("\n");
            for (final int k : cited) {
                b.append('[').append(k).append("] ").append(sources.get(k - 1).title()).append("\n");
            }
        }
        b.append("\n").append(zh ? "您的问题（编号 " + t.id() + "）：" : "Your question (#" + t.id() + "):").append("\n");
        for (final String l : t.question().strip().split("\n")) {
            b.append("> ").append(l).append("\n");
        }
        return b.toString();
    }

    /** Hands the question to a named specialist with the whole context: question, drafts, sources, history. */
    public Map<String, Object> escalate(final long id, final String specialist, final String note, final String agent) {
        final DeskStore.Ticket t = ticket(id);
        open(t);
        if (specialist == null || specialist.isBlank()) {
            throw new DeskException(400, "name the specialist to escalate to");
        }
        final Map<String, Object> ctx = new LinkedHashMap<>();
        ctx.put("note", note);
        ctx.put("by", agent(agent));
        ctx.put("question", t.question());
        ctx.put("customer", Map.of("email", t.customerEmail(), "name", t.customerName() == null ? "" : t.customerName()));
        final DeskStore.Draft d = lastDraft(id);
        ctx.put("latest_draft", d.body());
        ctx.put("sources", readList(d.sources()));
        ctx.put("guard", readMap(d.guard()));
        ctx.put("history", store.tickets(null, t.customerEmail(), 20).stream().filter(x -> x.id() != id)
                .map(x -> Map.of("id", x.id(), "question", x.question(), "status", x.status(),
                        "answer", x.finalText() == null ? "" : x.finalText())).toList());
        store.escalate(id, specialist.strip(), json(ctx));
        store.event(id, agent(agent), "escalated", "to " + specialist.strip() + (note == null ? "" : ": " + note),
                clock.instant());
        return view(id);
    }

    public void feedback(final long id, final int rating, final String comment, final String agent) {
        ticket(id);
        if (rating != 1 && rating != -1) {
            throw new DeskException(400, "rating is 1 (good draft) or -1 (bad draft)");
        }
        final DeskStore.Draft d = store.drafts(id).stream().filter(x -> !"edit".equals(x.mode())).reduce((a, b) -> b)
                .orElse(null);
        store.feedback(id, d == null ? null : d.id(), rating, comment, agent(agent), clock.instant());
        store.event(id, agent(agent), "feedback", (rating > 0 ? "+1" : "-1") + (comment == null ? "" : " " + comment),
                clock.instant());
    }

    /** A ticket with its drafts, events, feedback and the customer's other questions. */
    public Map<String, Object> view(final long id) {
        final DeskStore.Ticket t = ticket(id);
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("ticket", t);
        final List<Map<String, Object>> drafts = new ArrayList<>();
        for (final DeskStore.Draft d : store.drafts(id)) {
            final Map<String, Object> dm = new LinkedHashMap<>();
            dm.put("id", d.id());
            dm.put("version", d.version());
            dm.put("mode", d.mode());
            dm.put("author", d.author());
            dm.put("body", d.body());
            dm.put("sources", readList(d.sources()));
            dm.put("guard", readMap(d.guard()));
            dm.put("created_at", d.createdAt());
            drafts.add(dm);
        }
        m.put("drafts", drafts);
        m.put("draft", drafts.isEmpty() ? null : drafts.get(drafts.size() - 1));
        m.put("events", store.events(id));
        m.put("feedback", store.feedback(id));
        m.put("history", store.tickets(null, t.customerEmail(), 50).stream().filter(x -> x.id() != id)
                .map(x -> {
                    final Map<String, Object> h = new LinkedHashMap<>();
                    h.put("id", x.id());
                    h.put("received_at", x.receivedAt());
                    h.put("subject", x.subject());
                    h.put("question", x.question());
                    h.put("status", x.status());
                    h.put("answer", x.finalText());
                    return h;
                }).toList());
        m.put("orders", store.orders(t.customerEmail()));
        m.put("mail", store.mails(id, null, 20));
        return m;
    }

    // ------------------------------------------------------------------ helpers

    static Map<String, Object> guardView(final NumberGuard.Result g, final String note, final boolean known) {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", g.ok());
        m.put("statements", g.statements());
        m.put("cited", g.cited());
        m.put("citation_coverage", Math.round(g.coverage() * 1000) / 1000.0);
        m.put("figures", g.figures());
        m.put("flags", g.flags());
        m.put("known", known);
        if (note != null) {
            m.put("note", note);
        }
        return m;
    }

    private DeskStore.Ticket ticket(final long id) {
        return store.ticket(id).orElseThrow(() -> new DeskException(404, "no question " + id));
    }

    private DeskStore.Draft lastDraft(final long id) {
        final List<DeskStore.Draft> ds = store.drafts(id);
        if (ds.isEmpty()) {
            return draft(id, true);
        }
        return ds.get(ds.size() - 1);
    }

    private static void open(final DeskStore.Ticket t) {
        if ("sent".equals(t.status())) {
            throw new DeskException(409, "question " + t.id() + " was already answered and sent");
        }
        if ("sending".equals(t.status())) {
            throw new DeskException(409, "question " + t.id() + "'s answer is being e-mailed; it can no longer change");
        }
    }

    static List<Source> sources(final DeskStore.Draft d) {
        try {
            return JSON.readValue(d.sources(), new TypeReference<List<Source>>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String json(final Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static Map<String, Object> readMap(final String s) {
        try {
            return JSON.readValue(s, new TypeReference<Map<String, Object>>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<Object> readList(final String s) {
        try {
            return JSON.readValue(s, new TypeReference<List<Object>>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String agent(final String a) {
        return a == null || a.isBlank() ? "agent" : a.strip();
    }

    private static String blankToNull(final String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
