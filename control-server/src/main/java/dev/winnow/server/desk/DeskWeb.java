package dev.winnow.server.desk;

import com.fasterxml.jackson.databind.JsonNode;
import dev.winnow.server.llm.LlmProvider;
import dev.winnow.server.store.Database;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The desk's pages and API (pages under {@code /desk}, for role {@code agent}).
 *
 * <pre>
 * GET    /desk                                 the agent's page
 * GET    /contact                              the public web form for customers' questions (no login)
 * POST   /api/contact  {customer_email, customer_name?, subject?, question}   public: a ticket, its number only
 * GET    /api/desk/status                      language model, embeddings, counts
 * GET    /api/desk/documents                   documents; GET /api/desk/documents/{id}: text and passages
 * PUT    /api/desk/documents/{name}?kind=&title=   upload (raw body; .md .txt .html .pdf); same name replaces
 * DELETE /api/desk/documents/{id}
 * POST   /api/desk/samples                     load the shipped sample documents and orders
 * POST   /api/desk/search        {query, k}    hybrid retrieval, with both rankings
 * GET    /api/desk/orders[?customer_email=]    POST /api/desk/orders {id, customer, status, ...}
 * POST   /api/desk/orders/import               CSV body
 * GET    /api/desk/orders/{id}
 * POST   /api/desk/ask           {question, customer_email?, llm?}   a draft without a ticket
 * GET    /api/desk/tickets[?status=&customer_email=]
 * POST   /api/desk/tickets       {customer_email, customer_name, subject, question, channel}
 * GET    /api/desk/tickets/{id}                ticket, drafts, sources, guard, events, feedback, history
 * POST   /api/desk/tickets/{id}/draft {llm}    draft again
 * PUT    /api/desk/tickets/{id}/draft {text, agent}   the agent's edit (checked by the number guard)
 * POST   /api/desk/tickets/{id}/approve {text?, agent, force?}
 * POST   /api/desk/tickets/{id}/send {agent}  e-mail the approved answer (200 sent, 202 queued for retry)
 * GET    /api/desk/outbox[?state=]             mails: queued, sending, sent, failed, with attempts and errors
 * POST   /api/desk/tickets/{id}/escalate {specialist, note, agent}
 * POST   /api/desk/tickets/{id}/feedback {rating: 1|-1, comment, agent}
 * GET    /api/desk/customers/{email}/history
 * GET    /api/desk/analytics
 * </pre>
 */
public final class DeskWeb {

    private final Desk desk;
    private final String page;
    private final String form;
    private final Clock clock;
    /** Public questions per sender address: 5 in 10 minutes, so the open form cannot flood the inbox. */
    private final ContactLimit contactLimit = new ContactLimit(5, java.time.Duration.ofMinutes(10));
    private static final java.util.regex.Pattern EMAIL = java.util.regex.Pattern.compile("[^@\\s]{1,64}@[^@\\s]{1,190}\\.[^@\\s.]{2,63}");

    public DeskWeb(final Desk desk, final Clock clock) {
        this.desk = desk;
        this.clock = clock;
        this.page = new String(Desk.resource("/web/desk.html"), StandardCharsets.UTF_8);
        this.form = new String(Desk.resource("/web/desk-form.html"), StandardCharsets.UTF_8);
    }

    /** Adds the desk's routes to a server's app (the one line in {@code WinnowServer.startAll()}). */
    public static AutoCloseable register(final Javalin app, final Database db, final Clock clock, final LlmProvider llm) {
        final Desk desk = Desk.open(db, clock, llm);
        new DeskWeb(desk, clock).routes(app);
        // answers whose first attempt failed, and any a stopped server left queued, are retried from here
        return desk.outbox().start(java.time.Duration.ofSeconds(outboxPeriodSeconds()));
    }

    static long outboxPeriodSeconds() {
        final String p = System.getProperty("winnow.desk.outbox-period-s", System.getenv("WINNOW_DESK_OUTBOX_PERIOD_S"));
        try {
            return p == null || p.isBlank() ? 15 : Math.max(1, Long.parseLong(p.strip()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("WINNOW_DESK_OUTBOX_PERIOD_S '" + p + "' is not a whole number of seconds");
        }
    }

    public Desk desk() {
        return desk;
    }

    public void routes(final Javalin app) {
        app.exception(DeskException.class, (e, ctx) -> ctx.status(e.status()).json(Map.of("error", e.getMessage())));
        app.get("/desk", ctx -> ctx.html(page));
        app.get("/contact", ctx -> ctx.html(form));
        app.get("/desk/form", ctx -> ctx.redirect("/contact"));
        app.post("/api/contact", ctx -> {
            final String from = ctx.ip();
            if (!contactLimit.allow(from, clock.instant())) {
                throw new DeskException(429, "too many questions from this address; please try again in a few minutes");
            }
            final JsonNode b = json(ctx);
            final String email = text(b, "customer_email");
            if (email == null || !EMAIL.matcher(email.strip()).matches()) {
                throw new DeskException(400, "customer_email must be an e-mail address, so we can answer you");
            }
            final Map<String, Object> view = desk.receive(email, text(b, "customer_name"), text(b, "subject"),
                    text(b, "question"), "web");
            // the public side learns its ticket number, never the draft, sources or other customers' data
            final long id = ((DeskStore.Ticket) view.get("ticket")).id();
            ctx.status(201).json(Map.of("ticket", Map.of("id", id), "message",
                    "Thank you. A person will answer your question by e-mail."));
        });
        app.get("/api/desk/status", ctx -> {
            final Map<String, Object> m = new LinkedHashMap<>();
            final LlmProvider llm = desk.answerer().llm();
            m.put("llm", Map.of("available", llm.available(), "describe", llm.describe()));
            m.put("mode", llm.available() ? "llm" : "extractive");
            m.put("embeddings", desk.knowledge().index().embedder().describe());
            m.put("documents", desk.store().documents().size());
            m.put("passages", desk.knowledge().index().size());
            m.put("max_upload_bytes", desk.knowledge().maxBytes());
            ctx.json(m);
        });
        app.get("/api/desk/documents", ctx -> ctx.json(Map.of("documents", desk.store().documents())));
        app.get("/api/desk/documents/{id}", ctx -> {
            final String id = ctx.pathParam("id");
            final DeskStore.Doc d = desk.store().document(id)
                    .orElseThrow(() -> new DeskException(404, "no document " + id));
            ctx.json(Map.of("document", d, "text", desk.store().documentBody(id), "passages",
                    desk.store().passages().stream().filter(p -> p.docId().equals(id))
                            .map(p -> Map.of("id", p.id(), "ord", p.ord(), "section", p.section(), "text", p.text()))
                            .toList()));
        });
        app.put("/api/desk/documents/{name}", ctx -> {
            final String name = URLDecoder.decode(ctx.pathParam("name"), StandardCharsets.UTF_8);
            final byte[] bytes = body(ctx, desk.knowledge().maxBytes(), name);
            ctx.status(201).json(desk.knowledge().upload(name, ctx.contentType(), bytes, ctx.queryParam("kind"),
                    ctx.queryParam("title")));
        });
        app.delete("/api/desk/documents/{id}", ctx -> {
            if (!desk.knowledge().delete(ctx.pathParam("id"))) {
                throw new DeskException(404, "no document " + ctx.pathParam("id"));
            }
            ctx.status(204);
        });
        app.post("/api/desk/samples", ctx -> ctx.json(Map.of("documents", desk.loadSamples(),
                "orders", desk.store().orders(null).size())));
        app.post("/api/desk/search", ctx -> {
            final JsonNode b = json(ctx);
            final List<Map<String, Object>> hits = desk.knowledge().index().search(b.path("query").asText(""),
                    Math.max(1, Math.min(20, b.path("k").asInt(5))), null).stream().map(h -> {
                        final Map<String, Object> m = new LinkedHashMap<>();
                        m.put("id", h.passage().id());
                        m.put("document", h.passage().docName());
                        m.put("section", h.passage().section());
                        m.put("text", h.passage().text());
                        m.put("score", h.score());
                        m.put("bm25", h.bm25());
                        m.put("bm25_rank", h.bm25Rank());
                        m.put("cosine", h.cosine());
                        m.put("vector_rank", h.vecRank());
                        m.put("relevant", h.relevant());
                        return m;
                    }).toList();
            ctx.json(Map.of("hits", hits));
        });
        app.get("/api/desk/orders", ctx -> ctx.json(Map.of("orders", desk.store().orders(ctx.queryParam("customer_email")))));
        app.get("/api/desk/orders/{id}", ctx -> ctx.json(desk.store().order(ctx.pathParam("id"))
                .orElseThrow(() -> new DeskException(404, "no order " + ctx.pathParam("id")))));
        app.post("/api/desk/orders", ctx -> {
            final Map<String, String> m = new LinkedHashMap<>();
            json(ctx).fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().isNull() ? null : e.getValue().asText()));
            ctx.status(201).json(desk.putOrder(m));
        });
        app.post("/api/desk/orders/import", ctx -> ctx.json(Map.of("imported",
                desk.importOrdersCsv(new String(body(ctx, 5 * 1024 * 1024, "the CSV"), StandardCharsets.UTF_8)))));
        app.post("/api/desk/ask", ctx -> {
            final JsonNode b = json(ctx);
            final String q = b.path("question").asText("");
            if (q.isBlank()) {
                throw new DeskException(400, "question is empty");
            }
            final Answerer.Answer a = desk.answerer().answer(q, text(b, "customer_email"), text(b, "customer_name"),
                    b.path("llm").asBoolean(true));
            final Map<String, Object> m = new LinkedHashMap<>();
            m.put("language", a.language());
            m.put("mode", a.mode());
            m.put("body", a.body());
            m.put("sources", a.sources());
            m.put("guard", Desk.guardView(a.guard(), a.note(), a.known()));
            ctx.json(m);
        });
        app.get("/api/desk/tickets", ctx -> ctx.json(Map.of("tickets", desk.store().tickets(
                ctx.queryParam("status"), ctx.queryParam("customer_email"), 500))));
        app.post("/api/desk/tickets", ctx -> {
            final JsonNode b = json(ctx);
            ctx.status(201).json(desk.receive(text(b, "customer_email"), text(b, "customer_name"), text(b, "subject"),
                    text(b, "question"), b.hasNonNull("channel") ? b.get("channel").asText() : "api"));
        });
        app.get("/api/desk/tickets/{id}", ctx -> ctx.json(desk.view(id(ctx))));
        app.post("/api/desk/tickets/{id}/draft", ctx -> {
            final long id = id(ctx);
            desk.draft(id, json(ctx).path("llm").asBoolean(true));
            ctx.json(desk.view(id));
        });
        app.put("/api/desk/tickets/{id}/draft", ctx -> {
            final long id = id(ctx);
            final JsonNode b = json(ctx);
            desk.edit(id, b.path("text").asText(""), text(b, "agent"));
            ctx.json(desk.view(id));
        });
        app.post("/api/desk/tickets/{id}/sources", ctx -> {
            final JsonNode b = json(ctx);
            ctx.json(desk.cite(id(ctx), text(b, "passage"), text(b, "text"), text(b, "agent")));
        });
        app.post("/api/desk/tickets/{id}/approve", ctx -> {
            final JsonNode b = json(ctx);
            ctx.json(desk.approve(id(ctx), text(b, "text"), text(b, "agent"), b.path("force").asBoolean(false)));
        });
        app.post("/api/desk/tickets/{id}/send", ctx -> {
            final Map<String, Object> v = desk.send(id(ctx), text(json(ctx), "agent"));
            // 200: the SMTP server took it; 202: queued, the outbox retries (the view's mail says why it waits)
            ctx.status("sent".equals(((DeskStore.Ticket) v.get("ticket")).status()) ? 200 : 202).json(v);
        });
        app.get("/api/desk/outbox", ctx -> {
            final Outbox.Smtp s = desk.outbox().smtp();
            ctx.json(Map.of("smtp", s.configured() ? Map.of("host", s.host(), "port", s.port(), "from", s.from())
                    : Map.of("configured", false), "mail", desk.store().mails(null, ctx.queryParam("state"), 500)));
        });
        app.post("/api/desk/tickets/{id}/escalate", ctx -> {
            final JsonNode b = json(ctx);
            ctx.json(desk.escalate(id(ctx), text(b, "specialist"), text(b, "note"), text(b, "agent")));
        });
        app.post("/api/desk/tickets/{id}/feedback", ctx -> {
            final long id = id(ctx);
            final JsonNode b = json(ctx);
            desk.feedback(id, b.path("rating").asInt(0), text(b, "comment"), text(b, "agent"));
            ctx.json(desk.view(id));
        });
        app.get("/api/desk/customers/{email}/history", ctx -> ctx.json(Map.of(
                "tickets", desk.store().tickets(null, ctx.pathParam("email"), 200),
                "orders", desk.store().orders(ctx.pathParam("email")))));
        app.get("/api/desk/analytics", ctx -> ctx.json(desk.store().analytics()));
    }

    private static long id(final Context ctx) {
        try {
            return Long.parseLong(ctx.pathParam("id"));
        } catch (NumberFormatException e) {
            throw new DeskException(400, "question id must be a number");
        }
    }

    private static String text(final JsonNode b, final String field) {
        final JsonNode n = b.get(field);
        return n == null || n.isNull() ? null : n.asText();
    }

    private static JsonNode json(final Context ctx) {
        final byte[] raw = body(ctx, 1024 * 1024, "the request");
        if (raw.length == 0) {
            return Desk.JSON.createObjectNode();
        }
        try {
            final JsonNode n = Desk.JSON.readTree(raw);
            if (n == null || !n.isObject()) {
                throw new DeskException(400, "the body must be a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw new DeskException(400, "the body is not JSON: " + e.getMessage());
        }
    }

    /** The raw body, refused with 413 past {@code max} bytes (read here, not through Javalin's 1 MB limit). */
    static byte[] body(final Context ctx, final int max, final String what) {
        final long declared = ctx.req().getContentLengthLong();
        if (declared > max) {
            throw new DeskException(413, what + " is " + declared + " bytes; the limit is " + max + " bytes");
        }
        try (InputStream in = ctx.req().getInputStream()) {
            final byte[] b = in.readNBytes(max + 1);
            if (b.length > max) {
                throw new DeskException(413, what + " is larger than the limit of " + max + " bytes");
            }
            return b;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
