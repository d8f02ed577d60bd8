package dev.winnow.server.design;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What a design study asks for. Built only through {@link #parse}, which refuses an invalid brief
 * with a {@link BriefException} naming the field and the reason.
 *
 * @param palette           the yarns designs may use (listed, or from the mood)
 * @param maxColours        most distinct yarn colours in one design
 * @param repeatMin         fewest warp ends in the colour repeat
 * @param repeatMax         most warp ends (and picks) in the colour repeat
 * @param maxFloat          longest float allowed, threads
 * @param endsPerCm         sett, warp
 * @param picksPerCm        sett, weft
 * @param widthCm           fabric width on the loom
 * @param yarnTex           yarn count, grams per km
 * @param maxCostPerMetre   cost ceiling per metre of fabric (yarn plus weaving), in EUR
 * @param weights           objective weights, name to weight
 */
public record Brief(String name, String season, String mood, List<Family> families, List<Colour> palette,
                    int maxColours, int repeatMin, int repeatMax, List<String> weaves, int maxFloat, double endsPerCm,
                    double picksPerCm, double widthCm, double yarnTex, double maxCostPerMetre,
                    Map<String, Double> weights) {

    public static final List<String> OBJECTIVES =
            List.of("harmony", "contrast", "manufacturability", "cost", "novelty", "preference", "market");
    static final Map<String, Double> DEFAULT_WEIGHTS = Map.of("harmony", 1.0, "contrast", 1.0,
            "manufacturability", 1.0, "cost", 0.6, "novelty", 0.7, "preference", 1.2, "market", 0.8);

    /** Warp yarn per metre of fabric, grams (8 % take-up). */
    public double warpGramsPerMetre() {
        return endsPerCm * widthCm * 1.08 * yarnTex / 1000.0;
    }

    /** Weft yarn per metre of fabric, grams (5 % take-up). */
    public double weftGramsPerMetre() {
        return picksPerCm * 100 * widthCm / 100.0 * 1.05 * yarnTex / 1000.0;
    }

    /** Weaves usable by a family under this brief (allowed, fitting the float limit). */
    public List<String> weavesFor(final Family f) {
        final List<String> out = new ArrayList<>();
        for (final String w : weaves) {
            if (f.allows(w) && Weave.get(w).maxFloat() <= maxFloat) {
                out.add(w);
            }
        }
        return out;
    }

    public double weight(final String objective) {
        return weights.getOrDefault(objective, 0.0);
    }

    /** Reads and validates a brief from JSON. */
    public static Brief parse(final JsonNode n) {
        if (n == null || !n.isObject()) {
            throw new BriefException("brief", "must be a JSON object");
        }
        final String name = text(n, "name", "Untitled study", 80);
        final String season = text(n, "season", "", 40);
        final String mood = text(n, "mood", "", 40).toLowerCase(Locale.ROOT);

        final List<Family> families = new ArrayList<>();
        final JsonNode fam = n.has("families") ? n.get("families") : n.get("family");
        if (fam == null || fam.isNull()) {
            throw new BriefException("families", "name at least one fabric family: "
                    + "stripe, check, gingham, houndstooth, twill, melange");
        }
        for (final JsonNode f : fam.isArray() ? fam : List.of(fam)) {
            try {
                final Family ff = Family.parse(f.asText());
                if (!families.contains(ff)) {
                    families.add(ff);
                }
            } catch (IllegalArgumentException e) {
                throw new BriefException("families", e.getMessage()
                        + "; known: stripe, check (plaid), gingham, houndstooth, twill, melange");
            }
        }
        if (families.isEmpty()) {
            throw new BriefException("families", "name at least one fabric family");
        }

        final List<Colour> palette = new ArrayList<>();
        final JsonNode pal = n.get("palette");
        if (pal != null && !pal.isNull() && !(pal.isArray() && pal.isEmpty())) {
            if (!pal.isArray()) {
                throw new BriefException("palette", "must be a list of colours");
            }
            final Set<String> names = new HashSet<>();
            int i = 0;
            for (final JsonNode c : pal) {
                final String field = "palette[" + i + "]";
                final String hex = c.isTextual() ? c.asText() : c.path("hex").asText(null);
                final int rgb;
                try {
                    rgb = Colour.parseHex(hex);
                } catch (IllegalArgumentException e) {
                    throw new BriefException(field + ".hex", e.getMessage());
                }
                final String cname = c.isTextual() ? String.format(Locale.ROOT, "#%06x", rgb)
                        : c.path("name").asText(String.format(Locale.ROOT, "#%06x", rgb)).trim();
                if (!names.add(cname.toLowerCase(Locale.ROOT))) {
                    throw new BriefException(field + ".name", "'" + cname + "' is listed twice");
                }
                final double cost = c.isTextual() ? 13.0 : c.path("costPerKg").asDouble(13.0);
                if (!(cost > 0 && cost <= 500)) {
                    throw new BriefException(field + ".costPerKg", cost + " must be in (0, 500] EUR/kg");
                }
                final String dye = c.isTextual() ? "" : c.path("dye").asText("");
                palette.add(Colour.of(cname, String.format(Locale.ROOT, "%06x", rgb),
                        dye.isBlank() ? "WN-C-" + String.format(Locale.ROOT, "%06X", rgb) : dye, cost));
                i++;
            }
        } else if (!mood.isEmpty()) {
            final List<Colour> m = Palettes.mood(mood);
            if (m == null) {
                throw new BriefException("mood", "unknown mood '" + mood + "'; known: "
                        + String.join(", ", Palettes.MOODS.keySet()) + " (or list a palette)");
            }
            palette.addAll(m);
        } else {
            throw new BriefException("palette", "list the allowed colours, or name a mood ("
                    + String.join(", ", Palettes.MOODS.keySet()) + ")");
        }
        if (palette.size() > 24) {
            throw new BriefException("palette", palette.size() + " colours; at most 24");
        }

        final int maxColours = integer(n, "maxColours", Math.min(4, palette.size()), 1, 8);
        if (maxColours > palette.size()) {
            throw new BriefException("maxColours", maxColours + " colours but the palette has only " + palette.size());
        }
        for (final Family f : families) {
            if (f != Family.TWILL && maxColours < 2) {
                throw new BriefException("maxColours", f.id() + " needs at least 2 colours");
            }
        }
        final JsonNode rep = n.path("repeat");
        final int repeatMin = integer(rep, "min", 8, 1, 400, "repeat.min");
        final int repeatMax = integer(rep, "max", 48, 1, 400, "repeat.max");
        if (repeatMin > repeatMax) {
            throw new BriefException("repeat.min", "min " + repeatMin + " is above max " + repeatMax);
        }
        final int maxFloat = integer(n, "maxFloat", 3, 1, 12);

        final List<String> weaves = new ArrayList<>();
        final JsonNode wv = n.get("weaves");
        if (wv == null || wv.isNull()) {
            weaves.addAll(List.of("plain", "basket_2_2", "twill_2_1", "twill_2_2", "twill_3_1"));
        } else {
            for (final JsonNode w : wv.isArray() ? wv : List.of(wv)) {
                final String k = w.asText().trim().toLowerCase(Locale.ROOT).replace(' ', '_').replace('/', '_');
                if (!Weave.LIBRARY.containsKey(k)) {
                    throw new BriefException("weaves", "unknown weave '" + w.asText() + "'; known: "
                            + String.join(", ", Weave.names()));
                }
                if (!weaves.contains(k)) {
                    weaves.add(k);
                }
            }
            if (weaves.isEmpty()) {
                throw new BriefException("weaves", "allow at least one weave");
            }
        }
        for (final String w : weaves) {
            final int fl = Weave.get(w).maxFloat();
            if (fl > maxFloat) {
                throw new BriefException("weaves", w + " floats over " + fl + " threads, more than maxFloat "
                        + maxFloat + "; drop it or raise maxFloat");
            }
        }

        final JsonNode sett = n.path("sett");
        final double epc = number(sett, "endsPerCm", 24, 4, 120, "sett.endsPerCm");
        final double ppc = number(sett, "picksPerCm", 22, 4, 120, "sett.picksPerCm");
        final double width = number(n, "widthCm", 150, 20, 400, "widthCm");
        final double tex = number(n, "yarnTex", 20, 3, 300, "yarnTex");
        final double maxCost = number(n, "maxCostPerMetre", 8, 0.01, 10_000, "maxCostPerMetre");

        final Map<String, Double> weights = new LinkedHashMap<>();
        for (final String o : OBJECTIVES) {
            weights.put(o, DEFAULT_WEIGHTS.get(o));
        }
        final JsonNode wt = n.get("weights");
        if (wt != null && !wt.isNull()) {
            if (!wt.isObject()) {
                throw new BriefException("weights", "must be an object like {\"harmony\": 1, \"cost\": 0.5}");
            }
            for (final var it = wt.fields(); it.hasNext();) {
                final var e = it.next();
                if (!OBJECTIVES.contains(e.getKey())) {
                    throw new BriefException("weights." + e.getKey(), "unknown objective; known: " + String.join(", ", OBJECTIVES));
                }
                final double v = e.getValue().asDouble(Double.NaN);
                if (!e.getValue().isNumber() || !(v >= 0 && v <= 10)) {
                    throw new BriefException("weights." + e.getKey(), "must be a number in [0, 10]");
                }
                weights.put(e.getKey(), v);
            }
            if (weights.values().stream().allMatch(v -> v == 0)) {
                throw new BriefException("weights", "at least one weight must be above 0");
            }
        }
        final Brief b = new Brief(name, season, mood, List.copyOf(families), List.copyOf(palette), maxColours,
                repeatMin, repeatMax, List.copyOf(weaves), maxFloat, epc, ppc, width, tex, maxCost, weights);

        for (final Family f : families) {
            final List<String> ws = b.weavesFor(f);
            if (ws.isEmpty()) {
                throw new BriefException("weaves", f.id() + " is woven " + String.join(" or ", f.weaves())
                        + "; allow one of them");
            }
            boolean any = false;
            for (final String w : ws) {
                any |= !Generator.warpLengths(f, Weave.get(w), repeatMin, repeatMax).isEmpty();
            }
            if (!any) {
                throw new BriefException("repeat", "no " + f.id() + " repeat fits " + repeatMin + ".." + repeatMax
                        + " threads with " + String.join("/", ws)
                        + (f == Family.HOUNDSTOOTH ? " (houndstooth repeats in multiples of 8)" : ""));
            }
        }
        final double cheapest = palette.stream().mapToDouble(Colour::costPerKg).min().orElse(0)
                * (b.warpGramsPerMetre() + b.weftGramsPerMetre()) / 1000.0 + Critics.weavingCost(2, 1);
        if (cheapest > maxCost) {
            throw new BriefException("maxCostPerMetre", String.format(Locale.ROOT,
                    "even the cheapest yarn woven plain costs EUR %.2f/m, above the limit %.2f", cheapest, maxCost));
        }
        return b;
    }

    private static String text(final JsonNode n, final String f, final String dflt, final int max) {
        final JsonNode v = n.get(f);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isTextual()) {
            throw new BriefException(f, "must be text");
        }
        final String s = v.asText().trim();
        if (s.length() > max) {
            throw new BriefException(f, "at most " + max + " characters");
        }
        return s.isEmpty() ? dflt : s;
    }

    private static int integer(final JsonNode n, final String f, final int dflt, final int min, final int max) {
        return integer(n, f, dflt, min, max, f);
    }

    private static int integer(final JsonNode n, final String f, final int dflt, final int min, final int max,
                               final String field) {
        final JsonNode v = n == null ? null : n.get(f);
        if (v == null || v.isNull() || v.isMissingNode()) {
            return dflt;
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber()) {
            throw new BriefException(field, "'" + v.asText() + "' must be a whole number");
        }
        final int i = v.asInt();
        if (i < min || i > max) {
            throw new BriefException(field, i + " is out of range [" + min + ", " + max + "]");
        }
        return i;
    }

    private static double number(final JsonNode n, final String f, final double dflt, final double min,
                                 final double max, final String field) {
        final JsonNode v = n == null ? null : n.get(f);
        if (v == null || v.isNull() || v.isMissingNode()) {
            return dflt;
        }
        if (!v.isNumber()) {
            throw new BriefException(field, "'" + v.asText() + "' must be a number");
        }
        final double d = v.asDouble();
        if (!(d >= min && d <= max)) {
            throw new BriefException(field, d + " is out of range [" + min + ", " + max + "]");
        }
        return d;
    }
}
