package dev.winnow.edge.sim;

import dev.winnow.edge.inspect.LineInspector;
import dev.winnow.edge.track.TrackedObject;
import dev.winnow.hardware.sim.BeltItem;
import dev.winnow.hardware.sim.Judgement;
import dev.winnow.hardware.sim.PulseRecord;
import dev.winnow.hardware.sim.Scenario;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * DIAGNOSTIC (not a test): runs a scenario with the oracle detector (or another) and prints every
 * escaped contaminant with the pulses and tracked objects near it, and every spurious pulse with
 * what lay near it. Run from edge-agent after {@code package}:
 * {@code java -cp "target/classes:target/test-classes:target/lib/*" dev.winnow.edge.sim.OracleDiagnostics
 * fast-belt 20 oracle [speed] [minSightings] [marginAlong] [marginAcross]}.
 */
public final class OracleDiagnostics {

    private OracleDiagnostics() {
    }

    public static void main(final String[] args) throws Exception {
        Locale.setDefault(Locale.ROOT);
        final String name = args.length > 0 ? args[0] : "fast-belt";
        final double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 20;
        final String detector = args.length > 2 ? args[2] : "oracle";
        Scenario sc = Scenario.named(name);
        if (args.length > 3 && !args[3].equals("-")) {
            final double v = Double.parseDouble(args[3]);
            sc = new Scenario(sc.name(), sc.seed(), sc.durationSeconds(), sc.belt().withSpeed(v), sc.product(), sc.contaminants(), sc.cameras(), sc.nozzleBar(),
                    sc.lighting());
        }
        final Simulation.Tuning d = Simulation.Tuning.DEFAULTS;
        final int minSightings = args.length > 4 ? Integer.parseInt(args[4]) : d.minSightings();
        final double mAlong = args.length > 5 ? Double.parseDouble(args[5]) : d.marginAlongMm();
        final double mAcross = args.length > 6 ? Double.parseDouble(args[6]) : d.marginAcrossMm();
        final Simulation.Tuning tuning = new Simulation.Tuning(detector, Map.of(), 1, minSightings, mAlong, mAcross,
                d.minConfidence());
        final Simulation.Result r = new Simulation(new Simulation.Options(sc, seconds, false, null, "s", "l", "d",
                Path.of("/tmp/oracle-diag"), 1, false, true, tuning)).run();
        final Judgement j = r.judgement();
        final var res = j.result();
        System.out.printf("contaminants %d captured %d rate %.4f pulses %d spurious %d timing p50 %.3f p99 %.3f max %.3f"
                        + " latency p50 %.1f p99 %.1f decisions %d objects %d frames %d dropped %d%n",
                res.contaminants(), res.captured(), res.captureRate(), res.pulses(), res.spuriousPulses(),
                r.timingErrorMs()[0], r.timingErrorMs()[1], r.timingErrorMs()[2], r.latencyMs()[0], r.latencyMs()[1],
                r.decisions().size(), r.objects(), r.frames(), r.droppedFrames());
        final double speed = sc.belt().speedMps();
        if (!r.decisions().isEmpty()) {
            final LineInspector.Decision first = r.decisions().get(0);
            System.out.printf("first decision %.3f s after line start, travel %.1f, track along %.1f%n",
                    (first.nanos() - r.virtualLine().startNanos()) / 1e9, first.travelMm(), first.object().alongMm());
        }
        final double pitch = sc.nozzleBar().pitchMm();
        for (final Judgement.ItemVerdict v : j.verdicts()) {
            if (v.outcome() != Judgement.Outcome.ESCAPED) {
                continue;
            }
            final BeltItem it = v.item();
            System.out.printf("%nESCAPED %s id %d along %.1f across %.1f L %.1f W %.1f th %.1f deg %.0f box across [%.1f,%.1f]"
                            + " along [%.1f,%.1f] coverage %.2f lanes %d..%d%n",
                    it.cls().wireName(), it.id(), it.alongMm(), it.acrossMm(), it.lengthMm(), it.widthMm(),
                    it.thicknessMm(), Math.toDegrees(it.orientationRad()), it.acrossMm() - it.halfAcrossExtent(),
                    it.acrossMm() + it.halfAcrossExtent(), it.alongMm() - it.halfAlongExtent(),
                    it.alongMm() + it.halfAlongExtent(), v.coverage(),
                    (int) Math.floor((it.acrossMm() - it.halfAcrossExtent()) / pitch),
                    (int) Math.floor((it.acrossMm() + it.halfAcrossExtent()) / pitch));
            for (final LineInspector.Decision dec : r.decisions()) {
                final TrackedObject o = dec.object();
                if (near(o.alongMm() - o.lengthMm() / 2, o.alongMm() + o.lengthMm() / 2,
                        it.alongMm() - it.halfAlongExtent(), it.alongMm() + it.halfAlongExtent(), 30)
                        && near(o.acrossMm() - o.widthMm() / 2, o.acrossMm() + o.widthMm() / 2,
                        it.acrossMm() - it.halfAcrossExtent(), it.acrossMm() + it.halfAcrossExtent(), 30)) {
                    final double barT = (dec.travelMm());
                    System.out.printf("  track %d %s sightings %d final along [%.1f,%.1f] across [%.1f,%.1f];"
                                    + " decided at travel %.1f (object at world %.1f) pulse %s%n",
                            o.id(), o.cls(), o.sightings(), o.alongMm() - o.lengthMm() / 2,
                            o.alongMm() + o.lengthMm() / 2, o.acrossMm() - o.widthMm() / 2,
                            o.acrossMm() + o.widthMm() / 2, barT, barT - o.alongMm(),
                            dec.pulse() == null ? "null" : String.format("v%d..%d %.2f ms late=%b",
                                    dec.pulse().firstValve(), dec.pulse().lastValve(), dec.pulse().durationMs(),
                                    dec.pulse().late()));
                }
            }
            for (final PulseRecord p : j.pulses()) {
                if (near(p.surfaceFromMm(), p.surfaceToMm(), it.alongMm() - it.halfAlongExtent(),
                        it.alongMm() + it.halfAlongExtent(), 40)
                        && near(p.acrossFromMm(), p.acrossToMm(), it.acrossMm() - it.halfAcrossExtent(),
                        it.acrossMm() + it.halfAcrossExtent(), 35)) {
                    System.out.printf("  pulse v%d surface [%.1f,%.1f] across [%.1f,%.1f] on %.2f ms hits %s%n",
                            p.valve(), p.surfaceFromMm(), p.surfaceToMm(), p.acrossFromMm(), p.acrossToMm(),
                            (p.closeNanos() - p.openNanos()) / 1e6, p.itemsHit());
                }
            }
        }
        System.out.println();
        final List<BeltItem> all = new ArrayList<>();
        for (final Judgement.ItemVerdict v : j.verdicts()) {
            all.add(v.item());
        }
        for (final PulseRecord p : j.pulses()) {
            if (!p.spurious()) {
                continue;
            }
            System.out.printf("SPURIOUS v%d surface [%.1f,%.1f] across [%.1f,%.1f] on %.2f ms%n", p.valve(),
                    p.surfaceFromMm(), p.surfaceToMm(), p.acrossFromMm(), p.acrossToMm(),
                    (p.closeNanos() - p.openNanos()) / 1e6);
            for (final BeltItem it : r.virtualLine().contaminantsBetween(p.surfaceFromMm() - 400,
                    p.surfaceToMm() + 400)) {
                if (near(p.surfaceFromMm(), p.surfaceToMm(), it.alongMm() - it.halfAlongExtent(),
                        it.alongMm() + it.halfAlongExtent(), 30)
                        && near(p.acrossFromMm(), p.acrossToMm(), it.acrossMm() - it.halfAcrossExtent(),
                        it.acrossMm() + it.halfAcrossExtent(), 30)) {
                    System.out.printf("  item %s id %d along [%.1f,%.1f] across [%.1f,%.1f] L %.1f W %.1f deg %.0f%n",
                            it.cls().wireName(), it.id(), it.alongMm() - it.halfAlongExtent(),
                            it.alongMm() + it.halfAlongExtent(), it.acrossMm() - it.halfAcrossExtent(),
                            it.acrossMm() + it.halfAcrossExtent(), it.lengthMm(), it.widthMm(),
                            Math.toDegrees(it.orientationRad()));
                }
            }
            for (final LineInspector.Decision dec : r.decisions()) {
                final TrackedObject o = dec.object();
                if (near(p.surfaceFromMm(), p.surfaceToMm(), o.alongMm() - o.lengthMm() / 2,
                        o.alongMm() + o.lengthMm() / 2, 30)
                        && near(p.acrossFromMm(), p.acrossToMm(), o.acrossMm() - o.widthMm() / 2,
                        o.acrossMm() + o.widthMm() / 2, 30)) {
                    System.out.printf("  track %d %s sightings %d along [%.1f,%.1f] across [%.1f,%.1f] pulse %s%n",
                            o.id(), o.cls(), o.sightings(), o.alongMm() - o.lengthMm() / 2,
                            o.alongMm() + o.lengthMm() / 2, o.acrossMm() - o.widthMm() / 2,
                            o.acrossMm() + o.widthMm() / 2, dec.pulse() == null ? "null"
                                    : "v" + dec.pulse().firstValve() + ".." + dec.pulse().lastValve());
                }
            }
        }
        System.exit(0);
    }

    private static boolean near(final double a0, final double a1, final double b0, final double b1, final double tol) {
        return a1 + tol >= b0 && b1 + tol >= a0;
    }
}
