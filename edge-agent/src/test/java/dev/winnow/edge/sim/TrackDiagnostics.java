package dev.winnow.edge.sim;

import dev.winnow.edge.inspect.LineInspector;
import dev.winnow.edge.track.TrackedObject;
import dev.winnow.hardware.sim.BeltItem;
import dev.winnow.hardware.sim.PulseRecord;
import dev.winnow.hardware.sim.Scenario;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * DIAGNOSTIC (not a test): one line per decided track with its evidence and whether a contaminant lay under it,
 * to choose decision rules from data. Run from edge-agent after {@code package}:
 * {@code java -cp "target/classes:target/test-classes:target/lib/*" dev.winnow.edge.sim.TrackDiagnostics
 * fast-belt 30 auto}.
 */
public final class TrackDiagnostics {

    private TrackDiagnostics() {
    }

    public static void main(final String[] args) throws Exception {
        Locale.setDefault(Locale.ROOT);
        final Scenario sc = Scenario.named(args.length > 0 ? args[0] : "fast-belt");
        final double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 30;
        final Simulation.Tuning d = Simulation.Tuning.DEFAULTS;
        final int minSightings = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        final double minConfidence = args.length > 4 ? Double.parseDouble(args[4]) : 0.0;
        final double marginAcross = args.length > 5 ? Double.parseDouble(args[5]) : d.marginAcrossMm();
        final Simulation.Tuning tuning = new Simulation.Tuning(args.length > 2 ? args[2] : "auto", Map.of(), 1,
                minSightings, d.marginAlongMm(), marginAcross, minConfidence, Map.of());
        final Simulation.Result r = new Simulation(new Simulation.Options(sc, seconds, false, null, "s", "l", "d",
                Path.of("/tmp/track-diag"), 1, false, true, tuning)).run();
        System.out.println("truth,cls,true_cls,sightings,max_conf,mean_conf,length,width,decided_after");
        for (final LineInspector.Decision dec : r.decisions()) {
            final TrackedObject o = dec.object();
            BeltItem hit = null;
            for (final BeltItem it : r.virtualLine().contaminantsBetween(o.alongMm() - o.lengthMm() / 2 - 400,
                    o.alongMm() + o.lengthMm() / 2 + 400)) {
                if (o.alongMm() - o.lengthMm() / 2 - 10 <= it.alongMm() + it.halfAlongExtent()
                        && it.alongMm() - it.halfAlongExtent() <= o.alongMm() + o.lengthMm() / 2 + 10
                        && o.acrossMm() - o.widthMm() / 2 - 10 <= it.acrossMm() + it.halfAcrossExtent()
                        && it.acrossMm() - it.halfAcrossExtent() <= o.acrossMm() + o.widthMm() / 2 + 10) {
                    hit = it;
                }
            }
            System.out.printf("%d,%s,%s,%d,%.3f,%.3f,%.1f,%.1f%n", hit == null ? 0 : 1, o.cls(),
                    hit == null ? "-" : hit.cls().wireName(), o.sightings(), o.confidence(), o.meanConfidence(),
                    o.lengthMm(), o.widthMm());
        }
        int nearReal = 0;
        int spurious = 0;
        for (final PulseRecord p : r.judgement().pulses()) {
            if (!p.spurious()) {
                continue;
            }
            spurious++;
            for (final BeltItem it : r.virtualLine().contaminantsBetween(p.surfaceFromMm() - 400,
                    p.surfaceToMm() + 400)) {
                if (p.surfaceFromMm() - 20 <= it.alongMm() + it.halfAlongExtent()
                        && it.alongMm() - it.halfAlongExtent() <= p.surfaceToMm() + 20
                        && p.acrossFromMm() - 40 <= it.acrossMm() + it.halfAcrossExtent()
                        && it.acrossMm() - it.halfAcrossExtent() <= p.acrossToMm() + 40) {
                    nearReal++;
                    break;
                }
            }
        }
        final var res = r.judgement().result();
        System.out.printf("# contaminants %d captured %d rate %.4f pulses %d spurious %d (beside a contaminant %d,"
                        + " elsewhere %d) decisions %d%n", res.contaminants(), res.captured(), res.captureRate(),
                res.pulses(), spurious, nearReal, spurious - nearReal, r.decisions().size());
        System.exit(0);
    }
}
