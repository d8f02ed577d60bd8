package dev.winnow.server.design;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winnow.server.line.Json;
import dev.winnow.server.llm.LlmProvider;
import dev.winnow.server.store.Database;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The design lab's web side.
 *
 * <pre>
 * GET  /design                                   the lab page
 * GET  /api/design/status                        language model, moods, families, weaves
 * POST /api/design/brief-from-text               {text} → draft brief (model or keywords)
 * GET  /api/design/studies                       studies, newest first
 * POST /api/design/studies                       brief JSON → 201 study; 400 {error, field, reason}
 * GET  /api/design/studies/{id}                  study, brief, generations, running
 * POST /api/design/studies/{id}/generations      {size: 10..2000, seed?} → 202, breeds in the background
 * SSE  /api/design/studies/{id}/events           progress {generation, done, total}, generation {...}
 * GET  /api/design/studies/{id}/generations/{g}  designs of a generation, best first
 * GET  /api/design/studies/{id}/shortlist        shortlisted designs + archive suggestions (one per cell)
 * GET  /api/design/studies/{id}/preference       the preference model
 * POST /api/design/studies/{id}/ab               CSV design_id,impressions,clicks → {imported, errors}
 * GET  /api/design/studies/{id}/market           A/B ranking by Beta posterior (95 % credible interval)
 * GET  /api/design/designs/{id}                  a design: scores, lineage, name/copy
 * GET  /api/design/designs/{id}/lineage          ancestors, generation by generation
 * GET  /api/design/designs/{id}/swatch.png       ?px=8&size=384 (tiled) | tile.png ?px=8 | thumb.png | draft.png
 * GET  /api/design/designs/{id}/wif              WIF 1.1 download
 * GET  /api/design/designs/{id}/spec             production spec JSON; spec.txt as text download
 * POST /api/design/designs/{id}/rating           {rating: 1..5}
 * POST /api/design/designs/{id}/shortlist        {shortlisted: true|false}
 * POST /api/design/designs/{id}/copy             name and copy (model or template)
 * </pre>
 */
public final class DesignLab implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DesignLab.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How many impressions the pooled-CTR prior is worth in the A/B posterior. */
    static final double PRIOR_IMPRESSIONS = 100;

    private final DesignStore store;
    private final Clock clock;
    private final LlmProvider llm;
    private final Namer namer;
    private final String pageHtml = resource("/web/design.html");
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        final Thread t = new Thread(r, "winnow-design-lab");
        t.setDaemon(true);
        return t;
    });
    private final Map<Long, Study> studies = new ConcurrentHashMap<>();
    private final Map<String, byte[]> thumbs = java.util.Collections.synchronizedMap(
            new LinkedHashMap<>(1024, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(final Map.Entry<String, byte[]> e) {
                    return size() > 8000;
                }
            });

    /** A study in memory: brief and every design, loaded from the database on first use. */
    static final class Study {
        final long id;
        final String name;
        final Brief brief;
        final JsonNode briefJson;
        final List<Breeder.Design> all = new ArrayList<>();
        final Map<String, Breeder.Design> byId = new HashMap<>();
        final Map<String, DesignStore.Row> meta = new HashMap<>();
        final Set<SseClient> clients = new CopyOnWriteArraySet<>();
        volatile int generations;
        volatile boolean running;
        volatile String lastError;

        Study(final long id, final String name, final Brief brief, final JsonNode briefJson) {
            this.id = id;
            this.name = name;
            this.brief = brief;
            this.briefJson = briefJson;
        }
    }

    static final class Refused extends RuntimeException {
        final int status;

        Refused(final int status, final String message) {
            super(message);
            this.status = status;
        }
    }

    public DesignLab(final Database db, final Clock clock, final LlmProvider llm) {
        this.store = new DesignStore(db);
        this.clock = clock;
        this.llm = llm;
        this.namer = new Namer(llm);
    }

    /** Adds the lab's routes to {@code app}; the returned lab must be closed on shutdown. */
    public static DesignLab register(final Javalin app, final Database db, final Clock clock, final LlmProvider llm) {
        final DesignLab lab = new DesignLab(db, clock, llm);
        lab.routes(app);
        return lab;
    }

    public DesignStore store() {
        return store;
    }

    void routes(final Javalin app) {
        app.get("/design", ctx -> ctx.html(pageHtml));
        app.get("/api/design/status", ctx -> {
            final Map<String, Object> s = new LinkedHashMap<>();
            s.put("llm", Map.of("available", llm.available(), "describe", llm.describe(), "wouldAdd", Namer.WOULD_ADD));
            s.put("moods", Palettes.MOODS.keySet());
            final Map<String, Object> palettes = new LinkedHashMap<>();
            Palettes.MOODS.forEach((mood, cs) -> palettes.put(mood, cs.stream()
                    .map(c -> Map.of("name", c.name(), "hex", c.hex())).toList()));
            s.put("palettes", palettes);
            final List<Map<String, Object>> fams = new ArrayList<>();
            for (final Family f : Family.values()) {
                fams.add(Map.of("id", f.id(), "rule", f.rule()));
            }
            s.put("families", fams);
            final List<Map<String, Object>> ws = new ArrayList<>();
            Weave.LIBRARY.values().forEach(w -> ws.add(Map.of("name", w.name(), "label", w.label(),
                    "shafts", w.shafts(), "maxFloat", w.maxFloat())));
            s.put("weaves", ws);
            s.put("objectives", Brief.OBJECTIVES);
            ctx.json(s);
        });
        app.post("/api/design/brief-from-text", ctx -> {
            final String text = body(ctx).path("text").asText("").trim();
            if (text.isEmpty()) {
                throw new Refused(400, "text: write the brief in a sentence or two");
            }
            ctx.json(namer.briefFromText(text));
        });
        app.get("/api/design/studies", ctx -> {
            final List<Map<String, Object>> out = new ArrayList<>();
            for (final DesignStore.StudyRow r : store.studies()) {
                out.add(Map.of("id", r.id(), "name", r.name(), "generations", r.generations(),
                        "createdAt", r.createdAt().toString()));
            }
            ctx.json(Map.of("studies", out));
        });
        app.post("/api/design/studies", ctx -> {
            final JsonNode b = body(ctx);
            final Brief brief = Brief.parse(b);
            final long id = store.createStudy(brief.name(), b.toString(), clock.instant());
            final Study s = new Study(id, brief.name(), brief, b);
            studies.put(id, s);
            ctx.status(201).json(studyView(s));
        });
        app.get("/api/design/studies/{id}", ctx -> ctx.json(studyView(study(ctx))));
        app.post("/api/design/studies/{id}/generations", ctx -> {
            final Study s = study(ctx);
            final JsonNode b = ctx.body().isBlank() ? JSON.createObjectNode() : body(ctx);
            final int size = b.path("size").asInt(120);
            if (size < 10 || size > 2000) {
                throw new Refused(400, "size " + size + " is out of range [10, 2000]");
            }
            final long seed = b.path("seed").asLong(clock.millis());
            final int g = startGeneration(s, size, seed);
            ctx.status(202).json(Map.of("study", s.id, "generation", g, "size", size));
        });
        app.sse("/api/design/studies/{id}/events", client -> {
            final Study s;
            try {
                s = study(client.ctx());
            } catch (Refused e) {
                client.sendEvent("error", Json.write(Map.of("error", e.getMessage())));
                client.close();
                return;
            }
            client.keepAlive();
            s.clients.add(client);
            client.onClose(() -> s.clients.remove(client));
            client.sendEvent("hello", Json.write(Map.of("study", s.id, "generations", s.generations, "running", s.running)));
        });
        app.get("/api/design/studies/{id}/generations/{g}", ctx -> {
            final Study s = study(ctx);
            final int g = Integer.parseInt(ctx.pathParam("g"));
            final List<Map<String, Object>> out = new ArrayList<>();
            synchronized (s) {
                s.all.stream().filter(d -> d.generation() == g).sorted(Comparator.comparingDouble(d -> -d.total()))
                        .forEach(d -> out.add(designView(s, d)));
            }
            ctx.json(Map.of("study", s.id, "generation", g, "designs", out));
        });
        app.get("/api/design/studies/{id}/shortlist", ctx -> {
            final Study s = study(ctx);
            final List<Map<String, Object>> shortlisted = new ArrayList<>();
            final List<Map<String, Object>> suggested = new ArrayList<>();
            synchronized (s) {
                for (final Breeder.Design d : s.all) {
                    final DesignStore.Row m = s.meta.get(d.id());
                    if (m != null && m.shortlisted()) {
                        shortlisted.add(designView(s, d));
                    }
                }
                // the archive's elites, best first, taken in turn from each family so no family crowds out the rest
                final Map<Family, ArrayDeque<Breeder.Design>> byFamily = new LinkedHashMap<>();
                for (final Breeder.Design d : Breeder.archive(s.all).best(Integer.MAX_VALUE)) {
                    byFamily.computeIfAbsent(d.genome().family(), k -> new ArrayDeque<>()).add(d);
                }
                while (suggested.size() < 12 && byFamily.values().stream().anyMatch(q -> !q.isEmpty())) {
                    for (final ArrayDeque<Breeder.Design> q : byFamily.values()) {
                        if (!q.isEmpty() && suggested.size() < 12) {
                            suggested.add(designView(s, q.poll()));
                        }
                    }
                }
            }
            ctx.json(Map.of("shortlisted", shortlisted, "suggested", suggested));
        });
        app.get("/api/design/studies/{id}/preference", ctx -> {
            final Study s = study(ctx);
            final Preference p = preference(s);
            final List<Map<String, Object>> w = new ArrayList<>();
            p.weights().forEach(x -> w.add(Map.of("feature", x[0], "weight", x[1])));
            ctx.json(Map.of("examples", p.examples(), "weights", w));
        });
        app.post("/api/design/studies/{id}/ab", ctx -> ctx.json(importAb(study(ctx), ctx.body())));
        app.get("/api/design/studies/{id}/market", ctx -> ctx.json(market(study(ctx))));

        app.get("/api/design/designs/{id}", ctx -> {
            final Study s = studyOfDesign(ctx);
            final Breeder.Design d = s.byId.get(ctx.pathParam("id"));
            final Map<String, Object> v = designView(s, d);
            final DesignStore.Row m = s.meta.get(d.id());
            if (m != null && m.copyJson() != null) {
                v.put("copy", JSON.readTree(m.copyJson()));
            }
            v.put("constraints", Constraints.check(s.brief, d.genome()));
            ctx.json(v);
        });
        app.get("/api/design/designs/{id}/lineage", ctx -> {
            final Study s = studyOfDesign(ctx);
            ctx.json(Map.of("design", ctx.pathParam("id"), "ancestors", lineage(s, ctx.pathParam("id"), 8)));
        });
        app.get("/api/design/designs/{id}/thumb.png", ctx -> {
            final Study s = studyOfDesign(ctx);
            final String id = ctx.pathParam("id");
            byte[] png = thumbs.get(id);
            if (png == null) {
                png = Render.png(Render.thumbnail(fabric(s, id), Breeder.THUMB));
                thumbs.put(id, png);
            }
            png(ctx, png);
        });
        app.get("/api/design/designs/{id}/swatch.png", ctx -> {
            final Study s = studyOfDesign(ctx);
            final int px = intParam(ctx, "px", 8, 1, 32);
            final int size = intParam(ctx, "size", 384, 16, 2048);
            png(ctx, Render.png(Render.swatch(fabric(s, ctx.pathParam("id")), px, size, size)));
        });
        app.get("/api/design/designs/{id}/tile.png", ctx -> {
            final Study s = studyOfDesign(ctx);
            png(ctx, Render.png(Render.tile(fabric(s, ctx.pathParam("id")), intParam(ctx, "px", 8, 1, 32))));
        });
        app.get("/api/design/designs/{id}/draft.png", ctx -> {
            final Study s = studyOfDesign(ctx);
            png(ctx, Render.png(Render.draft(fabric(s, ctx.pathParam("id")), intParam(ctx, "px", 10, 4, 24))));
        });
        app.get("/api/design/designs/{id}/wif", ctx -> {
            final Study s = studyOfDesign(ctx);
            final String id = ctx.pathParam("id");
            ctx.header("Content-Disposition", "attachment; filename=\"" + id + ".wif\"");
            ctx.contentType("text/plain; charset=utf-8")
                    .result(Wif.write(fabric(s, id), title(s, id), LocalDate.now(clock.withZone(ZoneOffset.UTC))));
        });
        app.get("/api/design/designs/{id}/spec", ctx -> {
            final Study s = studyOfDesign(ctx);
            final String id = ctx.pathParam("id");
            ctx.json(Spec.of(s.brief, fabric(s, id), id, title(s, id)));
        });
        app.get("/api/design/designs/{id}/spec.txt", ctx -> {
            final Study s = studyOfDesign(ctx);
            final String id = ctx.pathParam("id");
            ctx.header("Content-Disposition", "attachment; filename=\"" + id + "-spec.txt\"");
            ctx.contentType("text/plain; charset=utf-8").result(Spec.text(Spec.of(s.brief, fabric(s, id), id, title(s, id))));
        });
        app.post("/api/design/designs/{id}/rating", ctx -> {
            final Study s = studyOfDesign(ctx);
            final JsonNode b = body(ctx);
            final int r = b.path("rating").asInt(0);
            if (!b.path("rating").isIntegralNumber() || r < 1 || r > 5) {
                throw new Refused(400, "rating must be a whole number 1..5");
            }
            judge(s, ctx.pathParam("id"), "rating", r);
            ctx.json(Map.of("design", ctx.pathParam("id"), "rating", r, "preferenceExamples", preference(s).examples()));
        });
        app.post("/api/design/designs/{id}/shortlist", ctx -> {
            final Study s = studyOfDesign(ctx);
            final JsonNode b = body(ctx);
            final boolean on = b.path("shortlisted").asBoolean(true);
            judge(s, ctx.pathParam("id"), "shortlist", on ? 1 : 0);
            ctx.json(Map.of("design", ctx.pathParam("id"), "shortlisted", on, "preferenceExamples", preference(s).examples()));
        });
        app.post("/api/design/designs/{id}/copy", ctx -> {
            final Study s = studyOfDesign(ctx);
            final String id = ctx.pathParam("id");
            final Map<String, Object> c = namer.nameAndCopy(s.brief, fabric(s, id));
            final String json = Json.write(c);
            store.setCopy(id, (String) c.get("name"), json);
            synchronized (s) {
                final DesignStore.Row m = s.meta.get(id);
                s.meta.put(id, new DesignStore.Row(s.id, s.byId.get(id), (String) c.get("name"), json,
                        m != null && m.shortlisted(), m == null ? null : m.rating()));
            }
            ctx.json(c);
        });
        app.exception(BriefException.class, (e, ctx) -> ctx.status(400).json(
                Map.of("error", e.getMessage(), "field", e.field(), "reason", e.reason())));
        app.exception(Refused.class, (e, ctx) -> ctx.status(e.status).json(Map.of("error", e.getMessage())));
    }

    // ------------------------------------------------------------------ generations

    int startGeneration(final Study s, final int size, final long seed) {
        final int g;
        synchronized (s) {
            if (s.running) {
                throw new Refused(409, "generation " + s.generations + " is still running");
            }
            s.running = true;
            g = s.generations;
        }
        worker.execute(() -> {
            final long t0 = System.nanoTime();
            String event;
            Map<String, Object> data;
            try {
                runGeneration(s, g, size, seed);
                final double secs = (System.nanoTime() - t0) / 1e9;
                event = "generation";
                data = Map.of("generation", g, "count", size, "seconds", Math.round(secs * 1000) / 1000.0,
                        "best", s.all.stream().filter(d -> d.generation() == g).mapToDouble(Breeder.Design::total).max().orElse(0));
            } catch (RuntimeException e) {
                LOG.warn("design study {} generation {} failed", s.id, g, e);
                s.lastError = e.toString();
                event = "failed";
                data = Map.of("generation", g, "error", e.toString());
            } finally {
                s.running = false;
            }
            // only now: a page that starts the next generation on this event must not be told "still running"
            broadcast(s, event, data);
        });
        return g;
    }

    void runGeneration(final Study s, final int g, final int size, final long seed) {
        final Critics critics = critics(s);
        final Breeder.MarketOracle market = marketOracle(s);
        final List<Breeder.Design> last;
        final List<Breeder.Design> elites;
        synchronized (s) {
            // re-score the last generation and the archive with today's preference and market
            final List<Breeder.Design> prev = s.all.stream().filter(d -> d.generation() == g - 1).toList();
            last = rescore(critics, market, prev);
            final Archive<Breeder.Design> arch = Breeder.archive(s.all);
            elites = rescore(critics, market, arch.elites());
        }
        broadcast(s, "progress", Map.of("generation", g, "done", 0, "total", size));
        final Breeder breeder = new Breeder(s.brief);
        final List<Breeder.Design> born = breeder.breed("s" + s.id + "-g" + g + "-", g, size, last, elites, critics,
                market, seed, true, done -> broadcast(s, "progress", Map.of("generation", g, "done", done, "total", size)));
        store.addGeneration(s.id, g, born, clock.instant());
        synchronized (s) {
            for (final Breeder.Design d : born) {
                thumbs.put(d.id(), d.thumbnail());
                final Breeder.Design lean = new Breeder.Design(d.id(), d.generation(), d.genome(), d.parents(),
                        d.operator(), d.scores(), d.total(), d.cell(), null);
                s.all.add(lean);
                s.byId.put(d.id(), lean);
            }
            s.generations = g + 1;
        }
    }

    private List<Breeder.Design> rescore(final Critics c, final Breeder.MarketOracle m, final List<Breeder.Design> ds) {
        final List<Breeder.Design> out = new ArrayList<>(ds.size());
        for (final Breeder.Design d : ds) {
            final Fabric f = new Fabric(d.genome(), c.brief().palette());
            final List<Critics.Score> sc = c.score(f, m.score(d.id(), d.parents()));
            out.add(d.withScores(sc, c.total(sc)));
        }
        return out;
    }

    Critics critics(final Study s) {
        final List<Catalogue.Entry> extra = new ArrayList<>();
        for (final DesignStore.Row r : store.shortlistedElsewhere(s.id)) {
            final Study o = load(r.studyId());
            if (o != null) {
                extra.add(new Catalogue.Entry((r.name() == null ? r.design().id() : r.name()) + " (shortlisted)",
                        Critics.features(new Fabric(r.design().genome(), o.brief.palette()))));
            }
        }
        return new Critics(s.brief, Catalogue.classics().plus(extra), preference(s));
    }

    Preference preference(final Study s) {
        final List<Preference.Example> ex = new ArrayList<>();
        synchronized (s) {
            for (final DesignStore.Row m : s.meta.values()) {
                final Breeder.Design d = s.byId.get(m.design().id());
                if (d == null) {
                    continue;
                }
                final double[] x = Critics.features(new Fabric(d.genome(), s.brief.palette()));
                if (m.rating() != null) {
                    ex.add(Preference.rating(x, m.rating()));
                }
                if (m.shortlisted()) {
                    ex.add(Preference.shortlist(x));
                }
            }
        }
        return Preference.fit(ex);
    }

    /** Designs with A/B data get their posterior's verdict; others inherit their parents', pulled halfway to neutral. */
    Breeder.MarketOracle marketOracle(final Study s) {
        final Map<String, long[]> ab = store.ab(s.id);
        if (ab.isEmpty()) {
            return Breeder.noMarket();
        }
        long impr = 0;
        long clicks = 0;
        for (final long[] v : ab.values()) {
            impr += v[0];
            clicks += v[1];
        }
        final double baseline = impr == 0 ? 0 : clicks / (double) impr;
        final Map<String, Double> memo = new ConcurrentHashMap<>();
        final Map<String, List<String>> parentsOf = new HashMap<>();
        synchronized (s) {
            s.all.forEach(d -> parentsOf.put(d.id(), d.parents()));
        }
        return new Breeder.MarketOracle() {
            double value(final String id, final int depth) {
                final Double m = memo.get(id);
                if (m != null) {
                    return m;
                }
                final long[] v = ab.get(id);
                double r;
                if (v != null) {
                    r = Market.Posterior.pooled(v[0], v[1], baseline, PRIOR_IMPRESSIONS).beats(baseline);
                } else if (depth > 12 || parentsOf.getOrDefault(id, List.of()).isEmpty()) {
                    r = 0.5;
                } else {
                    double sum = 0;
                    final List<String> ps = parentsOf.get(id);
                    for (final String p : ps) {
                        sum += value(p, depth + 1);
                    }
                    r = 0.5 + 0.5 * (sum / ps.size() - 0.5);
                }
                memo.put(id, r);
                return r;
            }

            @Override
            public Critics.Score score(final String id, final List<String> parents) {
                final long[] v = ab.get(id);
                if (v != null) {
                    return Market.score(Market.Posterior.pooled(v[0], v[1], baseline, PRIOR_IMPRESSIONS), baseline);
                }
                if (parents.isEmpty()) {
                    return new Critics.Score("market", 0.5, "no market data");
                }
                double sum = 0;
                for (final String p : parents) {
                    sum += value(p, 0);
                }
                final double r = 0.5 + 0.5 * (sum / parents.size() - 0.5);
                return new Critics.Score("market", r, String.format(java.util.Locale.ROOT,
                        "not tested; inherited from parents %s (%.2f)", String.join(", ", parents), sum / parents.size()));
            }
        };
    }

    // ------------------------------------------------------------------ A/B

    Map<String, Object> importAb(final Study s, final String csv) {
        final Map<String, long[]> ok = new LinkedHashMap<>();
        final List<String> errors = new ArrayList<>();
        int lineNo = 0;
        for (final String raw : csv.split("\\r?\\n")) {
            lineNo++;
            final String line = raw.trim();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            final String[] p = line.split("[,;\\t]");
            if (lineNo == 1 && !p[0].isEmpty() && p.length > 1 && !p[1].trim().matches("\\d+")) {
                continue; // header
            }
            if (p.length < 3) {
                errors.add("line " + lineNo + ": expected design_id,impressions,clicks");
                continue;
            }
            final String id = p[0].trim();
            final long impr;
            final long clicks;
            try {
                impr = Long.parseLong(p[1].trim());
                clicks = Long.parseLong(p[2].trim());
            } catch (NumberFormatException e) {
                errors.add("line " + lineNo + ": impressions and clicks must be whole numbers");
                continue;
            }
            if (!s.byId.containsKey(id)) {
                errors.add("line " + lineNo + ": design '" + id + "' is not in this study");
            } else if (impr < 0 || clicks < 0 || clicks > impr) {
                errors.add("line " + lineNo + ": need 0 <= clicks <= impressions");
            } else {
                ok.put(id, new long[] {impr, clicks});
            }
        }
        if (!ok.isEmpty()) {
            store.putAb(ok, clock.instant());
        }
        return Map.of("imported", ok.size(), "errors", errors);
    }

    Map<String, Object> market(final Study s) {
        final Map<String, long[]> ab = store.ab(s.id);
        long impr = 0;
        long clicks = 0;
        final List<Map<String, Object>> rows = new ArrayList<>();
        for (final var e : ab.entrySet()) {
            impr += e.getValue()[0];
            clicks += e.getValue()[1];
        }
        final double baseline = impr == 0 ? 0 : clicks / (double) impr;
        for (final var e : ab.entrySet()) {
            final Market.Posterior p = Market.Posterior.pooled(e.getValue()[0], e.getValue()[1], baseline, PRIOR_IMPRESSIONS);
            final Map<String, Object> r = new LinkedHashMap<>();
            r.put("design", e.getKey());
            r.put("impressions", p.impressions());
            r.put("clicks", p.clicks());
            r.put("ctr", p.impressions() == 0 ? 0 : p.clicks() / (double) p.impressions());
            r.put("mean", p.mean());
            r.put("low", p.low());
            r.put("high", p.high());
            r.put("pBeatsPooled", p.beats(baseline));
            rows.add(r);
        }
        rows.sort(Comparator.comparingDouble(r -> -(Double) r.get("low")));
        return Map.of("pooledCtr", baseline, "rankedBy", "lower end of the 95% credible interval; Beta posterior with a prior worth "
                + (int) PRIOR_IMPRESSIONS + " impressions at the pooled CTR",
                "designs", rows);
    }

    // ------------------------------------------------------------------ views

    void judge(final Study s, final String id, final String kind, final int value) {
        store.judge(id, kind, value, clock.instant());
        synchronized (s) {
            final DesignStore.Row m = s.meta.get(id);
            final Breeder.Design d = s.byId.get(id);
            final boolean sl = "shortlist".equals(kind) ? value != 0 : m != null && m.shortlisted();
            final Integer rating = "rating".equals(kind) ? Integer.valueOf(value) : m == null ? null : m.rating();
            s.meta.put(id, new DesignStore.Row(s.id, d, m == null ? null : m.name(), m == null ? null : m.copyJson(), sl, rating));
        }
    }

    List<Map<String, Object>> lineage(final Study s, final String id, final int depth) {
        final List<Map<String, Object>> out = new ArrayList<>();
        final Set<String> seen = new HashSet<>();
        final Deque<Object[]> q = new ArrayDeque<>();
        q.add(new Object[] {id, 0});
        while (!q.isEmpty()) {
            final Object[] it = q.poll();
            final String d = (String) it[0];
            final int k = (Integer) it[1];
            if (!seen.add(d) || k > depth) {
                continue;
            }
            final Breeder.Design x = s.byId.get(d);
            if (x == null) {
                continue;
            }
            final Map<String, Object> v = new LinkedHashMap<>();
            v.put("id", x.id());
            v.put("depth", k);
            v.put("generation", x.generation());
            v.put("parents", x.parents());
            v.put("operator", x.operator());
            v.put("total", x.total());
            out.add(v);
            for (final String p : x.parents()) {
                q.add(new Object[] {p, k + 1});
            }
        }
        return out;
    }

    Map<String, Object> studyView(final Study s) {
        final Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", s.id);
        v.put("name", s.name);
        v.put("brief", s.briefJson);
        final Brief b = s.brief;
        final List<Map<String, Object>> pal = new ArrayList<>();
        b.palette().forEach(c -> pal.add(Map.of("name", c.name(), "hex", c.hex(), "dye", c.dye(), "costPerKg", c.costPerKg())));
        final Map<String, Object> resolved = new LinkedHashMap<>();
        resolved.put("families", b.families().stream().map(Family::id).toList());
        resolved.put("palette", pal);
        resolved.put("maxColours", b.maxColours());
        resolved.put("repeat", Map.of("min", b.repeatMin(), "max", b.repeatMax()));
        resolved.put("weaves", b.weaves());
        resolved.put("maxFloat", b.maxFloat());
        resolved.put("maxCostPerMetre", b.maxCostPerMetre());
        resolved.put("weights", b.weights());
        v.put("resolved", resolved);
        v.put("generations", s.generations);
        v.put("running", s.running);
        v.put("designs", s.all.size());
        v.put("lastError", s.lastError);
        return v;
    }

    Map<String, Object> designView(final Study s, final Breeder.Design d) {
        final Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", d.id());
        v.put("study", s.id);
        v.put("generation", d.generation());
        v.put("family", d.genome().family().id());
        v.put("weave", d.genome().weave());
        v.put("genome", d.genome().code());
        final List<Map<String, Object>> cols = new ArrayList<>();
        for (final int c : d.genome().colours()) {
            final Colour k = s.brief.palette().get(c);
            cols.add(Map.of("name", k.name(), "hex", k.hex()));
        }
        v.put("colours", cols);
        v.put("parents", d.parents());
        v.put("operator", d.operator());
        v.put("scores", d.scores());
        v.put("total", d.total());
        v.put("cell", d.cell());
        final DesignStore.Row m = s.meta.get(d.id());
        v.put("name", m == null ? null : m.name());
        v.put("rating", m == null ? null : m.rating());
        v.put("shortlisted", m != null && m.shortlisted());
        return v;
    }

    // ------------------------------------------------------------------ helpers

    private Study study(final Context ctx) {
        final long id;
        try {
            id = Long.parseLong(ctx.pathParam("id"));
        } catch (NumberFormatException e) {
            throw new Refused(400, "study id must be a number");
        }
        final Study s = load(id);
        if (s == null) {
            throw new Refused(404, "no study " + id);
        }
        return s;
    }

    private Study studyOfDesign(final Context ctx) {
        final String id = ctx.pathParam("id");
        final java.util.regex.Matcher m = java.util.regex.Pattern.compile("s(\\d+)-g\\d+-\\d+").matcher(id);
        final Study s = m.matches() ? load(Long.parseLong(m.group(1))) : null;
        if (s == null || !s.byId.containsKey(id)) {
            throw new Refused(404, "no design " + (id.length() > 40 ? id.substring(0, 40) : id));
        }
        return s;
    }

    /** The study from memory, or loaded from the database; null if unknown. */
    Study load(final long id) {
        final Study cached = studies.get(id);
        if (cached != null) {
            return cached;
        }
        final DesignStore.StudyRow r = store.study(id);
        if (r == null) {
            return null;
        }
        final JsonNode bj;
        try {
            bj = JSON.readTree(r.briefJson());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        final Study s = new Study(r.id(), r.name(), Brief.parse(bj), bj);
        for (final DesignStore.Row row : store.designs(id)) {
            s.all.add(row.design());
            s.byId.put(row.design().id(), row.design());
            if (row.name() != null || row.rating() != null || row.shortlisted() || row.copyJson() != null) {
                s.meta.put(row.design().id(), row);
            }
        }
        s.generations = r.generations();
        final Study prev = studies.putIfAbsent(id, s);
        return prev != null ? prev : s;
    }

    private Fabric fabric(final Study s, final String id) {
        return new Fabric(s.byId.get(id).genome(), s.brief.palette());
    }

    private String title(final Study s, final String id) {
        final DesignStore.Row m = s.meta.get(id);
        return m != null && m.name() != null ? m.name() + " (" + id + ")" : s.name + " " + id;
    }

    private void broadcast(final Study s, final String event, final Object data) {
        final String json = Json.write(data);
        for (final SseClient c : s.clients) {
            synchronized (c) {
                try {
                    c.sendEvent(event, json);
                } catch (RuntimeException e) {
                    s.clients.remove(c);
                }
            }
        }
    }

    private static JsonNode body(final Context ctx) {
        try {
            final JsonNode n = JSON.readTree(ctx.body());
            if (n == null || !n.isObject()) {
                throw new Refused(400, "the body must be a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw new Refused(400, "the body is not JSON: " + e.getMessage());
        }
    }

    private static int intParam(final Context ctx, final String p, final int dflt, final int min, final int max) {
        final String v = ctx.queryParam(p);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            final int n = Integer.parseInt(v);
            if (n < min || n > max) {
                throw new Refused(400, p + " " + n + " is out of range [" + min + ", " + max + "]");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new Refused(400, p + " must be a whole number");
        }
    }

    private static void png(final Context ctx, final byte[] png) {
        ctx.header("Cache-Control", "max-age=3600");
        ctx.contentType("image/png").result(png);
    }

    private static String resource(final String path) {
        try (InputStream in = DesignLab.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        worker.shutdownNow();
        try {
            worker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
