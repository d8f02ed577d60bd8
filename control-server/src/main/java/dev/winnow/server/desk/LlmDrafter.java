package dev.winnow.server.desk;

import dev.winnow.server.llm.LlmException;
import dev.winnow.server.llm.LlmProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The language-model draft: the model sees the question and the passages retrieval found (and the
 * data cards of what the question names), may call the data tools, and writes the answer in the
 * customer's language, one statement per line, each ending with the numbers of its sources. Tool
 * results come back as numbered sources in the next turn (the shared provider speaks plain
 * messages, so results travel as a user turn rather than as {@code tool} messages).
 */
final class LlmDrafter {

    static final int MAX_ROUNDS = 3;

    static final List<LlmProvider.Tool> TOOLS = List.of(
            new LlmProvider.Tool("lot_certificate", "The quality certificate of a production lot: tonnes inspected, "
                    + "contaminants removed per class and per tonne, period, lines.",
                    schema("lot", "the lot code exactly as the customer wrote it")),
            new LlmProvider.Tool("order_status", "An order's status, product, quantity, ship date, carrier, tracking "
                    + "and lot. Empty order_id: the customer's latest order.",
                    schema("order_id", "the order number")),
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

    Answerer.Answer draft(final String question, final String email, final String name) {
        final String lang = Lang.detect(question);
        final Answerer.Drafting d = new Answerer.Drafting();
        final Answerer.Found f = answerer.find(question);
        f.lots().forEach((lot, doc) -> d.source(Answerer.lotSource(lot, doc)));
        f.orders().values().forEach(o -> d.source(Answerer.orderSource(o)));
        f.products().values().forEach(ps -> ps.stream().limit(2).forEach(p -> d.source(Answerer.passageSource(p))));
        for (final SearchIndex.Hit h : answerer.search(question, 4)) {
            if (h.relevant()) {
                d.source(Answerer.passageSource(h.passage()));
            }
        }
        final List<String> called = new ArrayList<>();
        LlmProvider.Response r = null;
        for (int round = 1; round <= MAX_ROUNDS; round++) {
            final boolean last = round == MAX_ROUNDS;
            final List<LlmProvider.Message> msgs = new ArrayList<>();
            msgs.add(LlmProvider.Message.system(system(lang)));
            msgs.add(LlmProvider.Message.user(prompt(question, name, d.sources)));
            if (!called.isEmpty()) {
                msgs.add(LlmProvider.Message.assistant("Tool calls: " + String.join("; ", called)));
                msgs.add(LlmProvider.Message.user("The tool results are now among the numbered sources above. "
                        + (last ? "Write the answer now." : "Call another tool only if still needed; else write the answer.")));
            }
            LlmProvider.Request req = LlmProvider.Request.of(msgs).withTemperature(0.2);
            if (!last) {
                req = req.withTools(TOOLS);
            }
            r = answerer.llm().chat(req);
            if (r.toolCalls().isEmpty() || last) {
                break;
            }
            for (final LlmProvider.ToolCall tc : r.toolCalls()) {
                final Source s = answerer.tool(tc.name(), Answerer.args(tc.argumentsJson()), email);
                final int n = d.source(s);
                called.add(tc.name() + "(" + tc.argumentsJson() + ") -> source [" + n + "]");
            }
            // the prompt of the next round lists the new sources
            msgs.clear();
        }
        final String content = r == null || r.content() == null ? "" : r.content().strip();
        if (content.isEmpty()) {
            throw new LlmException("the language model gave no answer text");
        }
        final String body = tidy(content);
        final boolean known = d.sources.stream().anyMatch(s -> !"none".equals(s.kind()));
        return new Answerer.Answer(lang, "llm", body, List.copyOf(d.sources), NumberGuard.check(body, d.sources),
                called.isEmpty() ? null : "tools: " + String.join("; ", called), known);
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
                + "6. Use the tools to fetch lot certificates, orders and product specs the sources lack.\n"
                + "Begin with a one-line greeting and end with a one-line sign-off, both without figures.";
    }

    static String prompt(final String question, final String name, final List<Source> sources) {
        final StringBuilder b = new StringBuilder();
        b.append("Customer").append(name == null || name.isBlank() ? "" : " (" + name + ")").append(" asks:\n")
                .append(question.strip()).append("\n\nSources:\n");
        if (sources.isEmpty()) {
            b.append("(none yet)\n");
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
}
