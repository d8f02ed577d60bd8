package dev.winnow.server.design;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Moods a brief may name instead of listing colours, each a palette of dyed yarns. */
public final class Palettes {

    private Palettes() {
    }

    public static final Map<String, List<Colour>> MOODS = moods();

    public static List<Colour> mood(final String mood) {
        return MOODS.get(mood.trim().toLowerCase(java.util.Locale.ROOT));
    }

    private static Map<String, List<Colour>> moods() {
        final Map<String, List<Colour>> m = new LinkedHashMap<>();
        m.put("heritage", list("HR",
                "navy:#1f2a44:14.0", "bottle green:#1e4d3a:14.5", "oxblood:#6b1f2a:15.0", "mustard:#c89b2c:14.0",
                "cream:#efe6d2:12.0", "charcoal:#33363b:13.0", "camel:#b08a5a:13.5"));
        m.put("coastal", list("CO",
                "sea blue:#2f6f9f:13.5", "sky:#a9cbe3:12.5", "sand:#e3d3b0:12.0", "white:#f7f7f2:11.5",
                "navy:#1b2a4a:14.0", "coral:#e07a5f:15.0", "seafoam:#8fc1a9:13.5"));
        m.put("nordic", list("NO",
                "snow:#f2f2ef:11.5", "slate:#5b6770:13.0", "pine:#2e4a3e:14.0", "lingonberry:#9e2a2b:15.5",
                "birch:#d8d0c0:12.0", "ink:#1c2230:14.0"));
        m.put("citrus", list("CI",
                "lemon:#f2d43a:14.5", "lime:#9cc53a:14.5", "tangerine:#f08a24:15.0", "white:#f7f7f2:11.5",
                "leaf:#3f7d3a:14.0", "grapefruit:#ef6f6c:15.0"));
        m.put("autumn", list("AU",
                "rust:#a4502a:14.5", "ochre:#c8922e:14.0", "olive:#6b6b2a:13.5", "chocolate:#4a3024:14.0",
                "oat:#d9c9a8:12.0", "plum:#5e2d4f:15.5", "moss:#56693a:13.5"));
        m.put("monochrome", list("MO",
                "black:#1a1a1a:13.5", "white:#f5f5f3:11.5", "graphite:#4a4a4a:13.0", "ash:#9a9a98:12.5",
                "bone:#e2ded3:12.0"));
        m.put("pastel", list("PA",
                "powder blue:#b9d2e8:13.0", "blush:#efc6c6:13.0", "mint:#c4e3cf:13.0", "butter:#f3e6a6:13.0",
                "lilac:#cdbfe3:13.5", "white:#f7f7f2:11.5"));
        return m;
    }

    private static List<Colour> list(final String prefix, final String... specs) {
        final List<Colour> out = new ArrayList<>();
        int n = 101;
        for (final String s : specs) {
            final String[] p = s.split(":");
            out.add(Colour.of(p[0], p[1], "WN-" + prefix + "-" + n++, Double.parseDouble(p[2])));
        }
        return List.copyOf(out);
    }
}
