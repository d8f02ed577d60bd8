package dev.winnow.server.design;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a design as WIF 1.1 (Weaving Information File): one full repeat, rising shed, colours
 * in 0..255, shafts/treadles/colours numbered from 1.
 */
public final class Wif {

    private Wif() {
    }

    public static String write(final Fabric f, final String title, final LocalDate date) {
        final Weave w = f.weave;
        final List<Integer> used = f.genome.colours();
        final Map<Integer, Integer> num = new LinkedHashMap<>();
        for (final int c : used) {
            num.put(c, num.size() + 1);
        }
        final StringBuilder s = new StringBuilder();
        s.append("[WIF]\nVersion=1.1\nDate=").append(date.format(DateTimeFormatter.ofPattern("MMMM d, yyyy", Locale.ENGLISH)))
                .append("\nDevelopers=winnow\nSource Program=Winnow design lab\nSource Version=0.1.0\n\n");
        s.append("[CONTENTS]\nCOLOR PALETTE=true\nTEXT=true\nWEAVING=true\nWARP=true\nWEFT=true\nCOLOR TABLE=true\n")
                .append("THREADING=true\nTIEUP=true\nTREADLING=true\nWARP COLORS=true\nWEFT COLORS=true\n\n");
        s.append("[TEXT]\nTitle=").append(title.replace('\n', ' ')).append("\nAuthor=Winnow design lab\n\n");
        s.append("[WEAVING]\nShafts=").append(w.shafts()).append("\nTreadles=").append(w.treadles())
                .append("\nRising Shed=true\n\n");
        s.append("[WARP]\nThreads=").append(f.ends()).append("\nColor=").append(num.get(f.warp[0]))
                .append("\nUnits=centimeters\n\n");
        s.append("[WEFT]\nThreads=").append(f.picks()).append("\nColor=").append(num.get(f.weft[0]))
                .append("\nUnits=centimeters\n\n");
        s.append("[COLOR PALETTE]\nEntries=").append(used.size()).append("\nRange=0,255\n\n");
        s.append("[COLOR TABLE]\n");
        for (final var e : num.entrySet()) {
            final Colour c = f.palette.get(e.getKey());
            s.append(e.getValue()).append('=').append(c.red()).append(',').append(c.green()).append(',')
                    .append(c.blue()).append('\n');
        }
        s.append("\n[THREADING]\n");
        for (int i = 0; i < f.ends(); i++) {
            s.append(i + 1).append('=').append(w.threading()[i % w.warpRepeat()] + 1).append('\n');
        }
        s.append("\n[TIEUP]\n");
        for (int t = 0; t < w.treadles(); t++) {
            final StringBuilder shafts = new StringBuilder();
            for (int sh = 0; sh < w.shafts(); sh++) {
                if (w.tieup()[sh][t]) {
                    shafts.append(shafts.length() == 0 ? "" : ",").append(sh + 1);
                }
            }
            s.append(t + 1).append('=').append(shafts).append('\n');
        }
        s.append("\n[TREADLING]\n");
        for (int p = 0; p < f.picks(); p++) {
            s.append(p + 1).append('=').append(w.treadling()[p % w.weftRepeat()] + 1).append('\n');
        }
        s.append("\n[WARP COLORS]\n");
        for (int i = 0; i < f.ends(); i++) {
            s.append(i + 1).append('=').append(num.get(f.warp[i])).append('\n');
        }
        s.append("\n[WEFT COLORS]\n");
        for (int p = 0; p < f.picks(); p++) {
            s.append(p + 1).append('=').append(num.get(f.weft[p])).append('\n');
        }
        return s.toString();
    }
}
