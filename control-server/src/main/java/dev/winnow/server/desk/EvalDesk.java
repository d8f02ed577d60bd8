package dev.winnow.server.desk;

import com.fasterxml.jackson.databind.JsonNode;
import dev.winnow.server.llm.LlmProvider;
import dev.winnow.server.store.Database;
import dev.winnow.server.store.EventStore;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code winnow-server eval-desk [--set FILE] [--llm]}: answers a golden set of questions on the
 * desk's seeded demo data (the demo lots' events, the sample documents and orders) in a throw-away
 * database, and prints one line per question, then a JSON line with {@code accuracy},
 * {@code citation_coverage} and {@code unsupported_figures}. The golden-set format is in
 * {@code docs/desk.md}.
 */
@Command(name = "eval-desk", mixinStandardHelpOptions = true,
        description = "Evaluates the customer desk's drafts against a golden set; prints a JSON summary last.")
public final class EvalDesk implements Callable<Integer> {

    @Option(names = "--set", description = "golden set (JSON); default: the shipped desk golden set")
    Path set;

    @Option(names = "--llm", description = "draft with the language model configured by WINNOW_LLM_BASE_URL "
            + "(default: extractive)")
    boolean llm;

    @Option(names = "--min-accuracy", description = "exit 1 when accuracy is below this (0..1); default 0")
    double minAccuracy;

    @Override
    public Integer call() throws Exception {
        final byte[] golden = set == null ? Desk.resource("/desk/golden-set.json") : Files.readAllBytes(set);
        final Map<String, Object> r = run(golden, llm ? LlmProvider.fromEnvironment() : LlmProvider.none(), System.out);
        return ((Double) r.get("accuracy")) + 1e-9 < minAccuracy ? 1 : 0;
    }

    /** Runs a golden set in a temporary database; prints per question, then the JSON summary; returns it. */
    public static Map<String, Object> run(final byte[] golden, final LlmProvider llm, final PrintStream out)
            throws IOException {
        final JsonNode set = Desk.JSON.readTree(golden);
        final Path dir = Files.createTempDirectory("winnow-eval-desk");
        try (Database db = Database.open(Database.embeddedUrl(dir), null, null)) {
            DeskDemo.seed(new EventStore(db));
            final Clock clock = Clock.fixed(Instant.parse("2026-04-20T08:00:00Z"), ZoneOffset.UTC);
            final Desk desk = new Desk(db, clock, llm, LotTool.of(db, clock), Embedder.miniLm(),
                    Knowledge.DEFAULT_MAX_BYTES);
            desk.loadSamples();
            return score(desk, set, llm.available(), out);
        } finally {
            delete(dir);
        }
    }

    static Map<String, Object> score(final Desk desk, final JsonNode set, final boolean useLlm, final PrintStream out) {
        int total = 0;
        int correct = 0;
        int statements = 0;
        int cited = 0;
        long unsupported = 0;
        long ms = 0;
        final List<Map<String, Object>> failures = new ArrayList<>();
        for (final JsonNode q : set.path("questions")) {
            total++;
            final long t0 = System.nanoTime();
            final Answerer.Answer a = desk.answerer().answer(q.path("question").asText(),
                    q.path("customer_email").asText(null), q.path("customer_name").asText(null), useLlm);
            ms += (System.nanoTime() - t0) / 1_000_000;
            statements += a.guard().statements();
            cited += a.guard().cited();
            unsupported += a.guard().unsupportedFigures();
            final List<String> missing = new ArrayList<>();
            final boolean expectUnknown = "unknown".equals(q.path("expect").asText());
            if (expectUnknown) {
                if (a.known()) {
                    missing.add("expected 'not known', but the draft answers from " + a.sources().size() + " source(s)");
                }
            } else {
                final String[] lines = a.body().split("\n");
                for (final JsonNode f : q.path("facts")) {
                    final String fact = norm(f.asText());
                    boolean found = false;
                    for (final String line : lines) {
                        if (norm(line).contains(fact) && NumberGuard.MARKER.matcher(line).find()) {
                            found = true;
                            break;
                        }
                    }
                    if (!found) {
                        missing.add("fact '" + f.asText() + "' not in a cited line");
                    }
                }
                for (final JsonNode c : q.path("cite")) {
                    if (a.sources().stream().noneMatch(s -> s.key().startsWith(c.asText()))) {
                        missing.add("source " + c.asText() + " not cited");
                    }
                }
                if (!a.known()) {
                    missing.add("the draft says it does not know");
                }
            }
            if (!a.guard().ok()) {
                missing.add("guard: " + a.guard().flags());
            }
            final boolean ok = missing.isEmpty();
            if (ok) {
                correct++;
            } else {
                final Map<String, Object> f = new LinkedHashMap<>();
                f.put("id", q.path("id").asText());
                f.put("problems", missing);
                f.put("draft", a.body());
                failures.add(f);
            }
            out.println((ok ? "ok   " : "FAIL ") + q.path("id").asText() + "  [" + a.mode() + ", "
                    + a.sources().size() + " sources, coverage " + String.format(Locale.ROOT, "%.2f",
                    a.guard().coverage()) + "]" + (ok ? "" : "  " + missing + "\n       | "
                    + a.body().replace("\n", "\n       | ")));
        }
        final Map<String, Object> r = new LinkedHashMap<>();
        r.put("set", set.path("name").asText("golden set"));
        r.put("mode", useLlm ? "llm" : "extractive");
        r.put("questions", total);
        r.put("correct", correct);
        r.put("accuracy", total == 0 ? 0.0 : Math.round(10000.0 * correct / total) / 10000.0);
        r.put("citation_coverage", statements == 0 ? 1.0 : Math.round(10000.0 * cited / statements) / 10000.0);
        r.put("unsupported_figures", unsupported);
        r.put("mean_ms", total == 0 ? 0 : ms / total);
        r.put("failures", failures.stream().map(f -> f.get("id")).toList());
        out.println(Desk.json(r));
        return r;
    }

    static String norm(final String s) {
        return s.toLowerCase(Locale.ROOT).replaceAll("\\s+", " ").strip();
    }

    private static void delete(final Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp folder left behind
        }
    }

    static String text(final byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
