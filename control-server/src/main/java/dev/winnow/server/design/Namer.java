package dev.winnow.server.design;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.winnow.server.llm.LlmException;
import dev.winnow.server.llm.LlmProvider;
import dev.winnow.server.llm.OpenAiCompatibleProvider;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Words for the lab: a study from a free-text brief, names and marketing copy for designs. Uses
 * the language model when one is configured; otherwise keywords and templates, and says what the
 * model would add. Either way the result is a draft the designer edits.
 */
public final class Namer {

    public static final String WOULD_ADD = "With a language model configured (any OpenAI-compatible endpoint: "
            + "WINNOW_LLM_BASE_URL, WINNOW_LLM_MODEL), the lab would read a free-text brief into a full study "
            + "(mood, palette limits, repeat, cost) and write evocative names and three marketing-copy variants "
            + "for shortlisted designs. Without one, briefs are read by keywords and names/copy come from templates.";

    private static final ObjectMapper JSON = new ObjectMapper();
    private final LlmProvider llm;

    public Namer(final LlmProvider llm) {
        this.llm = llm;
    }

    /** {brief, source, note}: the brief as JSON (not yet validated by the caller). */
    public Map<String, Object> briefFromText(final String text) {
        final Map<String, Object> out = new LinkedHashMap<>();
        if (llm.available()) {
            try {
                final String sys = "You turn a textile designer's brief into JSON for a woven-fabric design study. "
                        + "Answer only a JSON object with keys: name (text), season (text), mood (one of "
                        + String.join(", ", Palettes.MOODS.keySet()) + "), families (list from stripe, check, gingham, "
                        + "houndstooth, twill, melange), maxColours (2-8), repeat {min, max} (threads, 4-200), weaves "
                        + "(list from " + String.join(", ", Weave.names()) + "), maxFloat (1-6), maxCostPerMetre (EUR).";
                final LlmProvider.Response r = llm.chat(new LlmProvider.Request(List.of(LlmProvider.Message.system(sys),
                        LlmProvider.Message.user(text)), 0.2, 600, true, List.of()));
                out.put("brief", OpenAiCompatibleProvider.jsonObjectIn(r.content()));
                out.put("source", "llm");
                out.put("note", "drafted by " + llm.describe() + "; check it before creating the study");
                return out;
            } catch (LlmException e) {
                out.put("llmError", e.getMessage());
            }
        }
        out.put("brief", keywords(text));
        out.put("source", "keywords");
        out.put("note", llm.available() ? "the language model failed; read by keywords instead" : WOULD_ADD);
        return out;
    }

    /** The keyword reading of a free-text brief. */
    static ObjectNode keywords(final String text) {
        final String t = text.toLowerCase(Locale.ROOT);
        final ObjectNode b = JSON.createObjectNode();
        b.put("name", text.length() > 60 ? text.substring(0, 57).trim() + "..." : text.trim());
        String mood = "heritage";
        for (final String m : Palettes.MOODS.keySet()) {
            if (t.contains(m)) {
                mood = m;
                break;
            }
        }
        if (t.contains("summer") || t.contains("beach") || t.contains("sea")) {
            mood = t.contains("citrus") ? "citrus" : mood.equals("heritage") ? "coastal" : mood;
        } else if (t.contains("winter") && mood.equals("heritage") && t.contains("scandi")) {
            mood = "nordic";
        }
        b.put("mood", mood);
        final Matcher season = Pattern.compile("\\b(ss|aw|fw)\\s?(\\d{2,4})\\b").matcher(t);
        if (season.find()) {
            b.put("season", season.group(1).toUpperCase(Locale.ROOT) + season.group(2));
        }
        final var fams = b.putArray("families");
        for (final String[] k : new String[][] {{"gingham", "gingham"}, {"houndstooth", "houndstooth"},
            {"plaid", "check"}, {"check", "check"}, {"tartan", "check"}, {"stripe", "stripe"}, {"twill", "twill"},
            {"melange", "melange"}, {"denim", "twill"}}) {
            if (t.contains(k[0]) && !fams.toString().contains("\"" + k[1] + "\"")) {
                fams.add(k[1]);
            }
        }
        if (fams.isEmpty()) {
            fams.add("check");
            fams.add("stripe");
        }
        final Matcher cols = Pattern.compile("(\\d+)\\s*(colou?rs?|yarns?)").matcher(t);
        if (cols.find()) {
            b.put("maxColours", Math.max(1, Math.min(8, Integer.parseInt(cols.group(1)))));
        }
        final Matcher cost = Pattern.compile("(?:€|eur\\s?)(\\d+(?:\\.\\d+)?)|(\\d+(?:\\.\\d+)?)\\s?(?:€|eur)").matcher(t);
        if (cost.find()) {
            b.put("maxCostPerMetre", Double.parseDouble(cost.group(1) != null ? cost.group(1) : cost.group(2)));
        }
        return b;
    }

    /** {name, copies[], source, note} for a design. */
    public Map<String, Object> nameAndCopy(final Brief brief, final Fabric f) {
        final Map<String, Object> out = new LinkedHashMap<>();
        final List<String> colours = new ArrayList<>();
        for (final int c : f.genome.colours()) {
            colours.add(f.palette.get(c).name());
        }
        if (llm.available()) {
            try {
                final String desc = String.format(Locale.ROOT, "A %s (%s), colours: %s; season %s, mood %s.",
                        f.genome.family().id(), f.weave.label(), String.join(", ", colours), brief.season(), brief.mood());
                final LlmProvider.Response r = llm.chat(new LlmProvider.Request(List.of(
                        LlmProvider.Message.system("You name woven fabrics for a mill's collection and write short "
                                + "product copy. Answer only JSON: {\"name\": \"2-4 words\", \"copies\": [three variants, "
                                + "each one or two sentences, no claims about fibre content or care]}."),
                        LlmProvider.Message.user(desc)), 0.8, 400, true, List.of()));
                final JsonNode j = OpenAiCompatibleProvider.jsonObjectIn(r.content());
                final List<String> copies = new ArrayList<>();
                j.path("copies").forEach(c -> copies.add(c.asText()));
                out.put("name", j.path("name").asText(templateName(brief, f, colours)));
                out.put("copies", copies);
                out.put("source", "llm");
                out.put("note", "written by " + llm.describe() + "; a draft to edit");
                return out;
            } catch (LlmException e) {
                out.put("llmError", e.getMessage());
            }
        }
        out.put("name", templateName(brief, f, colours));
        final String fam = f.genome.family().id();
        out.put("copies", List.of(
                String.format(Locale.ROOT, "A %s in %s, woven %s.", fam, join(colours), f.weave.label()),
                String.format(Locale.ROOT, "%s%s colours in a %s repeat of %d threads.",
                        brief.season().isEmpty() ? "" : brief.season() + ": ", cap(brief.mood().isEmpty() ? "house" : brief.mood()),
                        fam, f.ends()),
                String.format(Locale.ROOT, "%s meets %s — a %s for the %s collection.", cap(colours.get(0)),
                        colours.size() > 1 ? colours.get(1) : "texture", fam, brief.name())));
        out.put("source", "template");
        out.put("note", WOULD_ADD);
        return out;
    }

    static String templateName(final Brief brief, final Fabric f, final List<String> colours) {
        final String fam = cap(f.genome.family().id());
        if (colours.size() == 1) {
            return cap(colours.get(0)) + " " + fam;
        }
        return cap(colours.get(0)) + " & " + cap(colours.get(1)) + " " + fam;
    }

    private static String join(final List<String> c) {
        if (c.size() == 1) {
            return c.get(0);
        }
        return String.join(", ", c.subList(0, c.size() - 1)) + " and " + c.get(c.size() - 1);
    }

    private static String cap(final String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
