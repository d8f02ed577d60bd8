package dev.winnow.server.design;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** WIF 1.1 output: every required section, and the draft it carries weaves the same cloth. */
class DesignWifTest {

    static Map<String, Map<String, String>> parse(final String wif) {
        final Map<String, Map<String, String>> out = new LinkedHashMap<>();
        Map<String, String> cur = null;
        for (final String line : wif.split("\n")) {
            if (line.startsWith("[")) {
                cur = new LinkedHashMap<>();
                out.put(line.substring(1, line.indexOf(']')), cur);
            } else if (line.contains("=") && cur != null) {
                cur.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
            }
        }
        return out;
    }

    @Test
    void wifCarriesTheWholeDraft() {
        final List<Colour> pal = List.of(Colour.of("navy", "#1f2a44", "N1", 14), Colour.of("white", "#f7f7f2", "W1", 12),
                Colour.of("gold", "#e0b030", "Y1", 15));
        final Fabric f = new Fabric(Genome.parse("check twill_2_1 W:0x3,2x3,1x6 F:0x3,2x3,1x6"), pal);
        final String wif = Wif.write(f, "Test check", LocalDate.of(2025, 5, 1));
        final Map<String, Map<String, String>> s = parse(wif);
        assertThat(s.keySet()).contains("WIF", "CONTENTS", "WEAVING", "WARP", "WEFT", "COLOR PALETTE", "COLOR TABLE",
                "THREADING", "TIEUP", "TREADLING", "WARP COLORS", "WEFT COLORS");
        assertThat(s.get("WIF").get("Version")).isEqualTo("1.1");
        assertThat(s.get("WIF").get("Date")).isEqualTo("May 1, 2025");
        for (final String k : s.get("CONTENTS").keySet()) {
            assertThat(s).containsKey(k);
        }
        assertThat(s.get("WEAVING")).containsEntry("Shafts", "3").containsEntry("Treadles", "3").containsEntry("Rising Shed", "true");
        assertThat(s.get("COLOR PALETTE")).containsEntry("Entries", "3").containsEntry("Range", "0,255");
        assertThat(s.get("COLOR TABLE")).containsEntry("1", "31,42,68").containsEntry("2", "224,176,48");
        final int ends = Integer.parseInt(s.get("WARP").get("Threads"));
        final int picks = Integer.parseInt(s.get("WEFT").get("Threads"));
        assertThat(ends).isEqualTo(12);
        assertThat(picks).isEqualTo(12);
        // rebuild the face from the WIF alone and compare with the fabric
        for (int p = 1; p <= picks; p++) {
            final String treadle = s.get("TREADLING").get(Integer.toString(p));
            final List<String> lifted = List.of(s.get("TIEUP").get(treadle).split(","));
            for (int e = 1; e <= ends; e++) {
                final boolean up = lifted.contains(s.get("THREADING").get(Integer.toString(e)));
                assertThat(up).as("end %d pick %d", e, p).isEqualTo(f.up[p - 1][e - 1]);
                final String colour = up ? s.get("WARP COLORS").get(Integer.toString(e)) : s.get("WEFT COLORS").get(Integer.toString(p));
                final String[] rgb = s.get("COLOR TABLE").get(colour).split(",");
                final Colour c = f.palette.get(f.colourAt(e - 1, p - 1));
                assertThat(new int[] {Integer.parseInt(rgb[0]), Integer.parseInt(rgb[1]), Integer.parseInt(rgb[2])})
                        .containsExactly(c.red(), c.green(), c.blue());
            }
        }
    }

    @Test
    void specListsThreadsColoursAndDyes() throws Exception {
        final Brief b = DesignCriticsTest.brief("{\"families\":[\"check\"],\"mood\":\"heritage\"}");
        final Fabric f = new Fabric(Genome.parse("check twill_2_2 W:0x4,4x4 F:0x4,4x4"), b.palette());
        final Map<String, Object> spec = Spec.of(b, f, "s1-g0-1", "Navy & Cream Check");
        assertThat((List<?>) spec.get("warpThreads")).hasSize(8);
        final String text = Spec.text(spec);
        assertThat(text).contains("WN-HR-101", "WN-HR-105", "ends   1-4", "navy", "cream", "2/2 twill", "THREAD BY THREAD");
    }
}
