package dev.winnow.server.desk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winnow.server.llm.LlmException;
import dev.winnow.server.llm.LlmProvider;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Drafts an answer to a customer's question from the documents and the live data. Without a
 * language model (the default) the draft is extractive: data cards for the lots, orders and
 * products the question names, then the best passages, each line citing its source. With one,
 * the model calls the same tools and writes in the customer's language, citing the same way.
 * Either way the number guard checks the draft.
 */
public final class Answerer {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9#][A-Za-z0-9._/#-]{0,63}");
    private static final Pattern KEYWORD_BEFORE = Pattern.compile(
            "(?i)(lot|lots|batch|order|orders|po|no\\.?|number|#|批次|批号|订单|单号|编号)\\s*[:：#]?\\s*$");

    /** A draft. {@code known} is false when nothing found answers the question. */
    public record Answer(String language, String mode, String body, List<Source> sources, NumberGuard.Result guard,
                         String note, boolean known) {
    }

    private final DeskStore store;
    private final SearchIndex index;
    private final LotTool lots;
    private final LlmProvider llm;

    public Answerer(final DeskStore store, final SearchIndex index, final LotTool lots, final LlmProvider llm) {
        this.store = store;
        this.index = index;
        this.lots = lots;
        this.llm = llm == null ? LlmProvider.none() : llm;
    }

    public LlmProvider llm() {
        return llm;
    }

    /** Drafts with the language model when one is configured and {@code preferLlm}, else extractively. */
    public Answer answer(final String question, final String customerEmail, final String customerName,
                         final boolean preferLlm) {
        if (preferLlm && llm.available()) {
            try {
                return new LlmDrafter(this).draft(question, customerEmail, customerName);
            } catch (LlmException e) {
                final Answer a = extractive(question, customerEmail, customerName);
                return new Answer(a.language(), a.mode(), a.body(), a.sources(), a.guard(),
                        "the language model failed (" + e.getMessage() + "); this is the extractive draft", a.known());
            }
        }
        return extractive(question, customerEmail, customerName);
    }

    // ------------------------------------------------------------------ what the question names

    /** Lots, orders and products the question names, and codes it names that nothing knows. */
    record Found(Map<String, JsonNode> lots, Map<String, DeskStore.Order> orders, Map<String, List<SearchIndex.Passage>> products,
                 List<String> unknown, String rest) {
    }

    Found find(final String question) {
        final Map<String, JsonNode> lotMap = new LinkedHashMap<>();
        final Map<String, DeskStore.Order> orderMap = new LinkedHashMap<>();
        final Map<String, List<SearchIndex.Passage>> products = new LinkedHashMap<>();
        final List<String> unknown = new ArrayList<>();
        String rest = question;
        final Matcher m = TOKEN.matcher(question);
        int looked = 0;
        while (m.find() && looked < 12) {
            String tok = m.group().replaceAll("[._/#-]+$", "").replaceAll("^#+", "");
            final boolean hasDigit = tok.chars().anyMatch(Character::isDigit);
            final boolean hasLetter = tok.chars().anyMatch(Character::isLetter);
            final boolean keyword = KEYWORD_BEFORE.matcher(question.substring(0, m.start())).find();
            if (!hasDigit || tok.length() < 2 || (!hasLetter && !keyword)) {
                continue;
            }
            looked++;
            final Optional<DeskStore.Order> o = store.order(tok);
            if (o.isPresent()) {
                orderMap.put(o.get().id(), o.get());
                rest = rest.replace(m.group(), " ");
                continue;
            }
            final Optional<JsonNode> cert = lots.certificate(tok);
            if (cert.isPresent()) {
                lotMap.put(tok, cert.get());
                rest = rest.replace(m.group(), " ");
                continue;
            }
            final List<SearchIndex.Passage> spec = specPassages(tok);
            if (!spec.isEmpty()) {
                products.put(tok.toUpperCase(Locale.ROOT), spec);
                continue;
            }
            if (keyword || hasLetter && tok.matches("(?i)(lot|l|so|po|ord|order)[-_]?\\d.*")) {
                unknown.add(tok);
                rest = rest.replace(m.group(), " ");
            }
        }
        return new Found(lotMap, orderMap, products, unknown, rest);
    }

    /** Spec-sheet passages naming a product code, best first. */
    List<SearchIndex.Passage> specPassages(final String code) {
        final String c = code.toLowerCase(Locale.ROOT);
        if (!c.matches(".*[a-z].*") || c.length() < 3) {
            return List.of();
        }
        final List<SearchIndex.Passage> out = new ArrayList<>();
        for (final SearchIndex.Hit h : index.search(code, 50, "spec")) {
            final String t = (h.passage().section() + " " + h.passage().text()).toLowerCase(Locale.ROOT);
            if (Pattern.compile("(?<![a-z0-9])" + Pattern.quote(c) + "(?![a-z0-9])").matcher(t).find()) {
                out.add(h.passage());
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ extractive

    Answer extractive(final String question, final String email, final String name) {
        final String lang = Lang.detect(question);
        final boolean zh = "zh".equals(lang);
        final Drafting d = new Drafting();
        final Found f = find(question);
        d.line(zh ? (name == null || name.isBlank() ? "您好：" : name + "，您好：")
                : "Hello" + (name == null || name.isBlank() ? "," : " " + name + ","));
        f.lots().forEach((lot, doc) -> lotLines(d, lot, doc, zh));
        f.orders().values().forEach(o -> orderLine(d, o, zh));
        if (f.orders().isEmpty() && mentionsOrder(question) && email != null) {
            final List<DeskStore.Order> mine = store.orders(email);
            mine.stream().limit(3).forEach(o -> orderLine(d, o, zh));
        }
        for (final String u : f.unknown()) {
            final int n = d.source(new Source("none:" + u, "none", zh ? "未找到记录：" + u : "No record: " + u,
                    "No lot, order or product named " + u + " is on record (checked inspection events and orders).",
                    null));
            d.line(zh ? "我们没有查到 " + u + " 的批次或订单记录，请核对编号。[" + n + "]"
                    : "We have no lot or order on record named " + u + "; could you check the number? [" + n + "]");
        }
        f.products().forEach((code, ps) -> ps.stream().limit(2).forEach(p -> passageLine(d, p, zh)));
        final boolean data = !f.lots().isEmpty() || !f.orders().isEmpty() || !f.products().isEmpty();
        final List<SearchIndex.Hit> hits = index.search(f.rest().isBlank() ? question : f.rest(), 6, null);
        int taken = 0;
        double best = -1;
        for (final SearchIndex.Hit h : hits) {
            if (!h.relevant() || d.has("doc:" + h.passage().id())) {
                continue;
            }
            if (data && h.cosine() < 0.5 || !data && !f.unknown().isEmpty() && h.cosine() < 0.6) {
                continue;
            }
            if (best < 0) {
                best = h.cosine();
            } else if (h.cosine() < best - 0.2) {
                break;
            }
            passageLine(d, h.passage(), zh);
            if (++taken >= (data ? 1 : 2)) {
                break;
            }
        }
        final boolean known = d.sources.stream().anyMatch(s -> !"none".equals(s.kind()));
        if (!known && f.unknown().isEmpty()) {
            d.line(zh ? "我们的文件和记录中没有找到这个问题的答案，我们不作猜测，将请专员答复您。"
                    : "I could not find the answer in our documents or records, so I will not guess; "
                            + "a specialist will get back to you.");
        }
        d.line(zh ? "此致" : "Kind regards,");
        final String body = String.join("\n", d.lines);
        return new Answer(lang, "extractive", body, List.copyOf(d.sources), NumberGuard.check(body, d.sources), null,
                known);
    }

    static boolean mentionsOrder(final String q) {
        final String l = q.toLowerCase(Locale.ROOT);
        return l.contains("order") || l.contains("shipment") || l.contains("delivery") || q.contains("订单")
                || q.contains("发货");
    }

    /** Lines and numbered sources of a draft under construction. */
    static final class Drafting {
        final List<String> lines = new ArrayList<>();
        final List<Source> sources = new ArrayList<>();

        int source(final Source s) {
            for (int i = 0; i < sources.size(); i++) {
                if (sources.get(i).key().equals(s.key())) {
                    return i + 1;
                }
            }
            sources.add(s);
            return sources.size();
        }

        boolean has(final String key) {
            return sources.stream().anyMatch(s -> s.key().equals(key));
        }

        void line(final String l) {
            lines.add(l);
        }
    }

    static Source lotSource(final String lot, final JsonNode doc) {
        return new Source("lot:" + lot, "lot", "Lot quality certificate " + doc.path("certificate_id").asText()
                + " (lot " + lot + ")", LotTool.text(doc), "/api/lots/" + lot + "/certificate");
    }

    static void lotLines(final Drafting d, final String lot, final JsonNode doc, final boolean zh) {
        final int n = d.source(lotSource(lot, doc));
        final JsonNode c = doc.path("content");
        final List<String> lines = new ArrayList<>();
        for (final JsonNode l : c.path("lines")) {
            lines.add(l.path("site").asText() + "/" + l.path("line").asText());
        }
        final String from = when(c.path("from").asText());
        final String to = when(c.path("to").asText());
        final String tonnes = c.path("tonnes_inspected").asText();
        final String cert = doc.path("certificate_id").asText();
        final long removed = c.path("removed_total").asLong();
        final String perT = c.path("removed_per_tonne").isNull() ? null : c.path("removed_per_tonne").asText();
        final List<String> classes = new ArrayList<>();
        c.path("removed_per_class").fields().forEachRemaining(e -> classes.add(
                (zh ? zhClass(e.getKey()) : enClass(e.getKey())) + " " + e.getValue().asText()));
        final long audit = c.path("audit_detections_excluded").asLong();
        if (zh) {
            d.line("批次 " + lot + "：" + from + " 至 " + to + " 在产线 " + String.join("、", lines) + " 检测，共检测 "
                    + tonnes + " 吨，质量证书编号 " + cert + "。[" + n + "]");
            d.line("共剔除异物 " + removed + " 个" + (perT == null ? "" : "（每吨 " + perT + " 个）")
                    + (classes.isEmpty() ? "" : "：" + String.join("，", classes)) + "。[" + n + "]");
            if (audit > 0) {
                d.line("审核模式下的 " + audit + " 次检出未计入上述数字。[" + n + "]");
            }
            d.line("质量证书 " + cert + " 以 PDF 附件随本邮件发送。[" + n + "]");
        } else {
            d.line("Lot " + lot + ": " + tonnes + " t inspected from " + from + " to " + to + " on line "
                    + String.join(", ", lines) + "; quality certificate " + cert + ". [" + n + "]");
            d.line(removed + " contaminants were removed" + (perT == null ? "" : ", " + perT + " per tonne")
                    + (classes.isEmpty() ? "" : " (" + String.join(", ", classes) + ")") + ". [" + n + "]");
            if (audit > 0) {
                d.line(audit + (audit == 1 ? " detection made in audit mode is" : " detections made in audit mode are")
                        + " excluded from these figures. [" + n + "]");
            }
            d.line("The quality certificate " + cert + " is attached to this e-mail as a PDF. [" + n + "]");
        }
    }

    static Source orderSource(final DeskStore.Order o) {
        final StringBuilder t = new StringBuilder("order " + o.id() + "\n");
        final Map<String, String> f = new LinkedHashMap<>();
        f.put("customer", o.customer());
        f.put("customer_email", o.customerEmail());
        f.put("product", o.product());
        f.put("quantity_kg", o.quantityKg());
        f.put("status", o.status());
        f.put("lot", o.lot());
        f.put("ordered_on", o.orderedOn());
        f.put("ship_date", o.shipDate());
        f.put("carrier", o.carrier());
        f.put("tracking", o.tracking());
        f.put("notes", o.notes());
        f.forEach((k, v) -> {
            if (v != null && !v.isBlank()) {
                t.append(k).append(": ").append(v).append('\n');
            }
        });
        return new Source("order:" + o.id(), "order", "Order " + o.id() + " (order records)", t.toString().strip(),
                "/api/desk/orders/" + o.id());
    }

    static void orderLine(final Drafting d, final DeskStore.Order o, final boolean zh) {
        final int n = d.source(orderSource(o));
        final StringBuilder b = new StringBuilder();
        if (zh) {
            b.append("订单 ").append(o.id());
            if (o.product() != null) {
                b.append("（").append(o.product()).append(o.quantityKg() == null ? "" : "，" + o.quantityKg() + " 公斤")
                        .append("）");
            }
            b.append("的状态：").append(zhStatus(o.status()));
            if (o.shipDate() != null) {
                b.append("，发货日期 ").append(o.shipDate());
            }
            if (o.carrier() != null) {
                b.append("，承运人 ").append(o.carrier());
            }
            if (o.tracking() != null) {
                b.append("，运单号 ").append(o.tracking());
            }
            if (o.lot() != null) {
                b.append("，批次 ").append(o.lot());
            }
            b.append("。");
        } else {
            b.append("Order ").append(o.id());
            if (o.product() != null) {
                b.append(" (").append(o.product()).append(o.quantityKg() == null ? "" : ", " + o.quantityKg() + " kg")
                        .append(")");
            }
            b.append(" is ").append(o.status().replace('_', ' '));
            if (o.shipDate() != null) {
                b.append(o.status().matches("(?i)shipped|delivered") ? "; shipped on " : "; planned ship date ")
                        .append(o.shipDate());
            }
            if (o.carrier() != null) {
                b.append(" with ").append(o.carrier());
            }
            if (o.tracking() != null) {
                b.append(", tracking number ").append(o.tracking());
            }
            if (o.lot() != null) {
                b.append("; it is supplied from lot ").append(o.lot());
            }
            b.append('.');
            if (o.notes() != null && !o.notes().isBlank()) {
                b.append(" Note: ").append(o.notes().strip().replaceAll("[.\\s]+$", "")).append('.');
            }
        }
        d.line(b + " [" + n + "]");
    }

    static Source passageSource(final SearchIndex.Passage p) {
        final String title = p.section().equals(p.docTitle()) ? p.docTitle() : p.docTitle() + " › " + p.section();
        return new Source("doc:" + p.id(), "passage", title, p.text(), "/api/desk/documents/" + p.docId() + "#p" + p.ord());
    }

    static void passageLine(final Drafting d, final SearchIndex.Passage p, final boolean zh) {
        final int n = d.source(passageSource(p));
        final String text = p.text().replaceAll("\\s*\n+\\s*", " ").strip();
        final String title = d.sources.get(n - 1).title();
        d.line((zh ? "根据《" + title + "》（英文原文）：" : "From our " + title + ": ") + "\u201C" + text + "\u201D [" + n + "]");
    }

    static String when(final String iso) {
        if (iso == null || iso.length() < 16) {
            return iso;
        }
        return iso.substring(0, 10) + " " + iso.substring(11, 16) + " UTC";
    }

    /** A contaminant class as a customer reads it: the model's class name without underscores. */
    static String enClass(final String c) {
        return c.replace('_', ' ').replace('-', ' ');
    }

    /** The shipped models' classes (and older sites' names) in Chinese, the English name kept for clarity. */
    static String zhClass(final String c) {
        final String zh = switch (c.replace('-', '_')) {
            case "plastic_film" -> "塑料薄膜";
            case "polypropylene_twine" -> "丙纶绳";
            case "polypropylene" -> "聚丙烯";
            case "straw" -> "秸秆";
            case "string" -> "线头";
            case "feather" -> "羽毛";
            case "coloured_fibre", "colored_fiber" -> "有色纤维";
            case "jute" -> "黄麻";
            case "paper" -> "纸";
            default -> null;
        };
        return zh == null ? enClass(c) : zh + " (" + enClass(c) + ")";
    }

    static String zhStatus(final String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "received", "new" -> "已接单";
            case "in_production", "in production" -> "生产中";
            case "ready" -> "待发货";
            case "shipped" -> "已发货";
            case "delivered" -> "已送达";
            case "cancelled", "canceled" -> "已取消";
            case "on_hold", "on hold" -> "暂停";
            default -> s;
        };
    }

    // ------------------------------------------------------------------ the tools, for the language model

    /** Runs a tool by name; returns the source it produced, or a none-source explaining why not. */
    Source tool(final String name, final JsonNode args, final String customerEmail) {
        switch (name) {
            case "lot_certificate" -> {
                final String lot = args.path("lot").asText("").strip();
                return lots.certificate(lot).map(doc -> lotSource(lot, doc)).orElse(new Source("none:" + lot, "none",
                        "No record: lot " + lot, "No inspection events are stored for lot " + lot + ".", null));
            }
            case "order_status" -> {
                final String id = args.path("order_id").asText("").strip();
                if (id.isEmpty() && customerEmail != null) {
                    final List<DeskStore.Order> mine = store.orders(customerEmail);
                    if (!mine.isEmpty()) {
                        return orderSource(mine.get(0));
                    }
                }
                return store.order(id).map(Answerer::orderSource).orElse(new Source("none:" + id, "none",
                        "No record: order " + id, "No order " + id + " is on record.", null));
            }
            case "product_spec" -> {
                final String code = args.path("product").asText("").strip();
                final List<SearchIndex.Passage> ps = specPassages(code);
                return ps.isEmpty() ? new Source("none:" + code, "none", "No spec: " + code,
                        "No spec sheet names product " + code + ".", null) : passageSource(ps.get(0));
            }
            case "search_documents" -> {
                final List<SearchIndex.Hit> hs = index.search(args.path("query").asText(""), 1, null);
                return hs.isEmpty() ? new Source("none:search", "none", "Nothing found", "No document passage matches.",
                        null) : passageSource(hs.get(0).passage());
            }
            default -> {
                return new Source("none:" + name, "none", "Unknown tool " + name, "There is no tool " + name + ".", null);
            }
        }
    }

    List<SearchIndex.Hit> search(final String q, final int k) {
        return index.search(q, k, null);
    }

    List<DeskStore.Order> orders(final String customerEmail) {
        return store.orders(customerEmail);
    }

    /** A tool call's arguments: a JSON object (empty text counts as none); anything else is refused. */
    static JsonNode parseArgs(final String json) {
        if (json == null || json.isBlank()) {
            return JSON.createObjectNode();
        }
        final JsonNode n;
        try {
            n = JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException("the arguments are not JSON: " + (json.length() > 80
                    ? json.substring(0, 77) + "..." : json));
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("the arguments are not a JSON object: " + json);
        }
        return n;
    }
}
