package dev.winnow.server.design;

import dev.winnow.server.design.Genome.Run;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The production spec: everything the mill needs to warp, dye and weave the design. */
public final class Spec {

    private Spec() {
    }

    public static Map<String, Object> of(final Brief b, final Fabric f, final String id, final String name) {
        final Map<String, Object> s = new LinkedHashMap<>();
        s.put("design", id);
        s.put("name", name);
        s.put("family", f.genome.family().id());
        s.put("weave", Map.of("name", f.weave.name(), "label", f.weave.label(), "shafts", f.weave.shafts(),
                "treadles", f.weave.treadles(), "maxFloat", Drawdown.maxFloat(f.up)));
        final Map<String, Object> sett = new LinkedHashMap<>();
        sett.put("endsPerCm", b.endsPerCm());
        sett.put("picksPerCm", b.picksPerCm());
        sett.put("widthCm", b.widthCm());
        sett.put("totalEnds", (int) Math.round(b.endsPerCm() * b.widthCm()));
        sett.put("yarnTex", b.yarnTex());
        s.put("sett", sett);
        s.put("repeat", Map.of("ends", f.ends(), "picks", f.picks(),
                "widthCm", round(f.ends() / b.endsPerCm()), "heightCm", round(f.picks() / b.picksPerCm())));
        final List<Map<String, Object>> colours = new ArrayList<>();
        final double[] warpShare = share(f.warp, f.palette.size());
        final double[] weftShare = share(f.weft, f.palette.size());
        for (final int c : f.genome.colours()) {
            final Colour k = f.palette.get(c);
            final Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", k.name());
            m.put("hex", k.hex());
            m.put("dye", k.dye());
            m.put("costPerKg", k.costPerKg());
            m.put("lab", new double[] {round(k.l()), round(k.a()), round(k.b())});
            m.put("warpGramsPerMetre", round(warpShare[c] * b.warpGramsPerMetre()));
            m.put("weftGramsPerMetre", round(weftShare[c] * b.weftGramsPerMetre()));
            colours.add(m);
        }
        s.put("colours", colours);
        s.put("warpPlan", plan(f.genome.warp(), f.palette));
        s.put("weftPlan", plan(f.genome.weft(), f.palette));
        s.put("warpThreads", threads(f.warp, f.palette));
        s.put("weftThreads", threads(f.weft, f.palette));
        final List<Integer> th = new ArrayList<>();
        for (final int t : f.weave.threading()) {
            th.add(t + 1);
        }
        final List<Integer> tr = new ArrayList<>();
        for (final int t : f.weave.treadling()) {
            tr.add(t + 1);
        }
        final List<List<Integer>> tie = new ArrayList<>();
        for (int t = 0; t < f.weave.treadles(); t++) {
            final List<Integer> sh = new ArrayList<>();
            for (int k = 0; k < f.weave.shafts(); k++) {
                if (f.weave.tieup()[k][t]) {
                    sh.add(k + 1);
                }
            }
            tie.add(sh);
        }
        s.put("draft", Map.of("threading", th, "tieup", tie, "treadling", tr, "risingShed", true));
        s.put("costPerMetre", round(Critics.costPerMetre(b, f)));
        return s;
    }

    private static double[] share(final int[] threads, final int n) {
        final double[] s = new double[n];
        for (final int c : threads) {
            s[c] += 1.0 / threads.length;
        }
        return s;
    }

    private static List<Map<String, Object>> plan(final List<Run> runs, final List<Colour> pal) {
        final List<Map<String, Object>> out = new ArrayList<>();
        int at = 1;
        for (final Run r : runs) {
            final Colour c = pal.get(r.colour());
            out.add(Map.of("from", at, "to", at + r.count() - 1, "threads", r.count(), "colour", c.name(), "dye", c.dye()));
            at += r.count();
        }
        return out;
    }

    /** Thread-by-thread: one colour name per thread. */
    private static List<String> threads(final int[] t, final List<Colour> pal) {
        final List<String> out = new ArrayList<>(t.length);
        for (final int c : t) {
            out.add(pal.get(c).name());
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    public static String text(final Map<String, Object> s) {
        final StringBuilder t = new StringBuilder();
        t.append("WINNOW PRODUCTION SPEC\n======================\n");
        t.append("Design   ").append(s.get("design")).append("  ").append(s.get("name")).append('\n');
        t.append("Family   ").append(s.get("family")).append('\n');
        final Map<String, Object> w = (Map<String, Object>) s.get("weave");
        t.append("Weave    ").append(w.get("label")).append(" (").append(w.get("shafts")).append(" shafts, ")
                .append(w.get("treadles")).append(" treadles, longest float ").append(w.get("maxFloat")).append(")\n");
        final Map<String, Object> st = (Map<String, Object>) s.get("sett");
        t.append("Sett     ").append(st.get("endsPerCm")).append(" ends/cm × ").append(st.get("picksPerCm"))
                .append(" picks/cm, width ").append(st.get("widthCm")).append(" cm = ").append(st.get("totalEnds"))
                .append(" ends, yarn ").append(st.get("yarnTex")).append(" tex\n");
        final Map<String, Object> r = (Map<String, Object>) s.get("repeat");
        t.append("Repeat   ").append(r.get("ends")).append(" ends × ").append(r.get("picks")).append(" picks (")
                .append(r.get("widthCm")).append(" × ").append(r.get("heightCm")).append(" cm)\n");
        t.append(String.format(Locale.ROOT, "Cost     EUR %.2f per metre%n%n", (Double) s.get("costPerMetre")));
        t.append("COLOURS\n");
        for (final Map<String, Object> c : (List<Map<String, Object>>) s.get("colours")) {
            t.append(String.format(Locale.ROOT, "  %-16s %s  dye %-12s EUR %6.2f/kg  warp %6.1f g/m  weft %6.1f g/m%n",
                    c.get("name"), c.get("hex"), c.get("dye"), (Double) c.get("costPerKg"),
                    (Double) c.get("warpGramsPerMetre"), (Double) c.get("weftGramsPerMetre")));
        }
        t.append("\nWARP PLAN (repeat)\n");
        for (final Map<String, Object> p : (List<Map<String, Object>>) s.get("warpPlan")) {
            t.append(String.format(Locale.ROOT, "  ends %3d-%-3d  %3d × %s (%s)%n", p.get("from"), p.get("to"),
                    p.get("threads"), p.get("colour"), p.get("dye")));
        }
        t.append("\nWEFT PLAN (repeat)\n");
        for (final Map<String, Object> p : (List<Map<String, Object>>) s.get("weftPlan")) {
            t.append(String.format(Locale.ROOT, "  picks %3d-%-3d %3d × %s (%s)%n", p.get("from"), p.get("to"),
                    p.get("threads"), p.get("colour"), p.get("dye")));
        }
        final Map<String, Object> d = (Map<String, Object>) s.get("draft");
        t.append("\nDRAFT (rising shed)\n  threading ").append(d.get("threading")).append("\n  tie-up    ")
                .append(d.get("tieup")).append("\n  treadling ").append(d.get("treadling")).append('\n');
        t.append("\nWARP THREAD BY THREAD\n");
        threadLines(t, (List<String>) s.get("warpThreads"));
        t.append("\nWEFT THREAD BY THREAD\n");
        threadLines(t, (List<String>) s.get("weftThreads"));
        return t.toString();
    }

    private static void threadLines(final StringBuilder t, final List<String> th) {
        for (int i = 0; i < th.size(); i++) {
            t.append(String.format(Locale.ROOT, "  %3d %s%n", i + 1, th.get(i)));
        }
    }

    private static double round(final double v) {
        return Math.round(v * 100) / 100.0;
    }
}
