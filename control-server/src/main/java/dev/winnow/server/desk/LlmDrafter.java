package dev.winnow.server.desk;

import com.fasterxml.jackson.databind.JsonNode;
import dev.winnow.server.llm.LlmException;
import dev.winnow.server.llm.LlmProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The language-model draft. The model sees the question and the sources retrieval already found (the data
 * cards of what the question names and the best passages), calls the data tools it still needs through the
 * protocol's tool calling (each result comes back as a {@code tool} message and becomes a numbered source),
 * and writes the answer in the customer's language, one statement per line, each ending with the numbers of
 * its sources. A checker then reads the draft: figures its cited sources do not contain (the number guard),
 * statements citing nothing, the wrong language. The model gets one chance to correct what the checker
 * found; whatever remains is flagged for the agent, who approves or edits before anything is sent.
 */
final class LlmDrafter {

    /** Model turns that may call tools; the turn after them must answer in text. */
    static final int MAX_TOOL_ROUNDS = 3;
    /** Tool calls answered per draft, so a model stuck in a loop cannot run the tools without end. */
    static final int MAX_CALLS = 8;

    static final List<LlmProvider.Tool> TOOLS = List.of(
            new LlmProvider.Tool("lot_certificate", "The quality certificate of a production lot: tonnes inspected, "
                    + "contaminants removed per class and per tonne, period, lines.",
                    schema("lot", "the lot code exactly as the customer wrote it")),
            new LlmProvider.Tool("order_status", "An order's status, product, quantity, ship date, carrier, tracking "
                    + "and lot. Empty order_id: the customer's latest order.",
                    schema("order_id", "the order number, or empty for the customer's latest order")),
            new LlmProvider.Tool("product_spec", "The spec sheet passage of a product code.",
                    schema("product", "the product code")),
            new LlmProvider.Tool("search_documents", "Searches the company's documents (specs, policies, FAQ).",
                    schema("query", "what to look for, in English")));

    private final Answerer answerer;

    LlmDrafter(final Answerer answerer) {
        this.answerer = answerer;
    }

    static Map<String, Object> schema(final String param, final String description) {
        return Map.of("type", "object", "properties", Map.of(param, Map.of("type", "string", "description", description)),
                "required", List.of(param));
    }

    /** What the checker found in one draft. */
    record Checked(String body, NumberGuard.Result guard, List<String> problems) {
    }

    Answerer.Answer draft(final String question, final String email, final String name) {
        final String lang = Lang.detect(question);
        final Answerer.Drafting d = new Answerer.Drafting();
        final Answerer.Found f = answerer.find(question);
        f.lots().forEach((lot, doc) -> d.source(Answerer.lotSource(lot, doc)));
        f.orders().values().forEach(o -> d.source(Answerer.orderSource(o)));
        if (f.orders().isEmpty() && Answerer.mentionsOrder(question) && email != null) {
            answerer.orders(email).stream().limit(3).forEach(o -> d.source(Answerer.orderSource(o)));
        }
        f.products().values().forEach(ps -> ps.stream().limit(2).forEach(p -> d.source(Answerer.passageSource(p))));
        for (final SearchIndex.Hit h : answerer.search(question, 4)) {
            if (h.relevant()) {
                d.source(Answerer.passageSource(h.passage()));
            }
        }
        final List<LlmProvider.Message> msgs = new ArrayList<>();
        msgs.add(LlmProvider.Message.system(system(lang)));
        msgs.add(LlmProvider.Message.user(prompt(question, name, d.sources)));
        final List<String> called = new ArrayList<>();
        String content = null;
        for (int round = 1; round <= MAX_TOOL_ROUNDS + 1; round++) {
            final boolean last = round > MAX_TOOL_ROUNDS || called.size() >= MAX_CALLS;
            // the tools stay described on the last turn (the conversation refers to them) but may not be called
            final LlmProvider.Response r = answerer.llm().chat(LlmProvider.Request.of(msgs).withTemperature(0.2)
                    .withTools(TOOLS).withToolChoice(last ? "none" : "auto"));
            if (r.toolCalls().isEmpty() || last) {
                content = r.content();
                break;
            }
            msgs.add(LlmProvider.Message.assistant(r.content(), r.toolCalls()));
            for (final LlmProvider.ToolCall tc : r.toolCalls()) {
                msgs.add(LlmProvider.Message.tool(tc.id(), run(tc, email, d, called)));
            }
        }
        if (content == null || content.isBlank()) {
            throw new LlmException("the language model gave no answer text");
        }
        final boolean known = d.sources.stream().anyMatch(s -> !"none".equals(s.kind()));
        Checked c = check(tidy(content), d.sources, lang, known);
        String repair = null;
        if (!c.problems().isEmpty()) {
            msgs.add(LlmProvider.Message.assistant(content));
            msgs.add(LlmProvider.Message.user("A checker read your draft and found:\n- " + String.join("\n- ", c.problems())
                    + "\nWrite the whole answer again with these corrected. Use only the numbered sources; copy figures "
                    + "exactly; cite a source at the end of every statement."));
            try {
                final LlmProvider.Response r = answerer.llm().chat(LlmProvider.Request.of(msgs).withTemperature(0.1)
                        .withTools(TOOLS).withToolChoice("none"));
                if (r.content() != null && !r.content().isBlank()) {
                    final Checked again = check(tidy(r.content()), d.sources, lang, known);
                    if (again.problems().size() < c.problems().size()
                            && again.guard().flags().size() <= c.guard().flags().size()) {
                        repair = "corrected after the checker found " + c.problems().size() + " problem(s)";
                        c = again;
                    } else {
                        repair = "the model did not correct what the checker found; its first draft is kept";
                    }
                }
            } catch (LlmException e) {
                repair = "the correction failed (" + e.getMessage() + "); the first draft is kept";
            }
        }
        final List<String> note = new ArrayList<>();
        if (!called.isEmpty()) {
            note.add("tools: " + String.join("; ", called));
        }
        if (repair != null) {
            note.add(repair);
        }
        if (!c.problems().isEmpty()) {
            note.add("check: " + String.join("; ", c.problems()));
        }
        return new Answerer.Answer(lang, "llm", c.body(), List.copyOf(d.sources), c.guard(),
                note.isEmpty() ? null : String.join(" · ", note), known);
    }

    /** Runs one tool call; its result (a new numbered source, or why there is none) is the tool message's text. */
    private String run(final LlmProvider.ToolCall tc, final String email, final Answerer.Drafting d,
                       final List<String> called) {
        if (called.size() >= MAX_CALLS) {
            called.add(tc.name() + " refused (more than " + MAX_CALLS + " calls)");
            return "error: no more tool calls for this answer; write it from the sources you have";
        }
        final JsonNode args;
        try {
            args = Answerer.parseArgs(tc.argumentsJson());
        } catch (IllegalArgumentException e) {
            called.add(tc.name() + " refused (" + e.getMessage() + ")");
            return "error: " + e.getMessage() + "; call it again with a JSON object of arguments";
        }
        final Source s = answerer.tool(tc.name(), args, email);
        final int n = d.source(s);
        called.add(tc.name() + "(" + args + ") -> [" + n + "]");
        return "Source [" + n + "] " + s.title() + "\n" + s.text().strip() + "\n\nCite it as [" + n + "].";
    }

    /**
     * The number guard's flags and the checker's own findings: statements citing nothing (unless nothing was found
     * to cite, when the answer can only say it does not know) and the wrong language.
     */
    static Checked check(final String body, final List<Source> sources, final String lang, final boolean known) {
        final NumberGuard.Result g = NumberGuard.check(body, sources);
        final List<String> problems = new ArrayList<>();
        for (final NumberGuard.Flag fl : g.flags()) {
            problems.add("line " + fl.line() + ": " + fl.reason());
        }
        final String[] lines = body.split("\n");
        for (int i = 0; i < lines.length; i++) {
            final String bare = NumberGuard.MARKER.matcher(lines[i]).replaceAll(" ");
            final boolean cites = NumberGuard.MARKER.matcher(lines[i]).find();
            // the greeting and the sign-off state nothing, as long as they hold no figure
            final boolean frame = (i == 0 || i == lines.length - 1) && NumberGuard.numberList(bare).isEmpty();
            if (known && !cites && !frame && NumberGuard.isStatement(bare)) {
                problems.add("line " + (i + 1) + " cites no source: \u201C" + abbreviate(lines[i].strip()) + "\u201D");
            }
        }
        final boolean chinese = Lang.isChinese(body);
        if ("zh".equals(lang) && !chinese) {
            problems.add("the customer wrote in Chinese; the answer must be in Simplified Chinese");
        } else if ("en".equals(lang) && chinese) {
            problems.add("the customer wrote in English; the answer must be in English");
        }
        return new Checked(body, g, List.copyOf(problems));
    }

    static String system(final String lang) {
        return "You draft replies for the customer service of a cotton mill that inspects every lot for "
                + "contaminants. A person checks your draft before it is sent.\n"
                + "Rules:\n"
                + "1. Use only the numbered sources. Never state anything they do not say.\n"
                + "2. Put each statement on its own line and end the line with the numbers of its sources in "
                + "brackets, like [1] or [2, 3].\n"
                + "3. Copy every figure exactly as the source writes it (same digits, same decimals).\n"
                + "4. If the sources do not answer the question, say that you do not know and that a specialist "
                + "will follow up. Do not guess.\n"
                + "5. Write in " + ("zh".equals(lang) ? "Simplified Chinese" : "English")
                + " (the customer's language). Keep lot codes, order numbers and product codes as they are.\n"
                + "6. Call the tools to fetch lot certificates, orders, product specs and document passages the "
                + "sources lack; each result is a new numbered source.\n"
                + "Begin with a one-line greeting and end with a one-line sign-off, both without figures.";
    }

    static String prompt(final String question, final String name, final List<Source> sources) {
        final StringBuilder b = new StringBuilder();
        b.append("Customer").append(name == null || name.isBlank() ? "" : " (" + name + ")").append(" asks:\n")
                .append(question.strip()).append("\n\nSources:\n");
        if (sources.isEmpty()) {
            b.append("(none found yet: call a tool, or say you do not know)\n");
        }
        for (int i = 0; i < sources.size(); i++) {
            final Source s = sources.get(i);
            b.append('[').append(i + 1).append("] ").append(s.title()).append('\n').append(s.text().strip())
                    .append("\n\n");
        }
        return b.toString();
    }

    /** Strips Markdown bullets and blank lines; one statement per line. */
    static String tidy(final String content) {
        final List<String> out = new ArrayList<>();
        for (final String l : content.split("\n")) {
            final String s = l.strip().replaceFirst("^([-*•]|\\d+[.)])\\s+", "");
            if (!s.isEmpty()) {
                out.add(s);
            }
        }
        return String.join("\n", out);
    }

    private static String abbreviate(final String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
