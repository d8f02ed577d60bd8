package dev.winnow.edge.sim;

import dev.winnow.edge.inspect.LineInspector;
import dev.winnow.edge.track.TrackedObject;
import dev.winnow.hardware.sim.BeltItem;
import dev.winnow.hardware.sim.Judgement;
import dev.winnow.hardware.sim.PulseRecord;
import dev.winnow.hardware.sim.VirtualLine;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a simulation decided, held against the virtual line's truth: every decided track with its evidence and the
 * contaminant under it (if any), the tracks the decision rules held back (with the rule), and every escaped
 * contaminant. It is how decision rules are chosen from data: false
 * tracks of a class that are seen in few frames call for more sightings of that class; escapes that no track saw are
 * the detector's (or the camera's) to fix.
 *
 * @param falseTracksByClass decided tracks with no contaminant under them, per class the track had, never null
 * @param spuriousBeside     spurious pulses within 40 mm across (20 mm along) of a contaminant: box-size error
 * @param spuriousElsewhere  spurious pulses far from every contaminant: false tracks
 * @param rows               the CSV rows (without header), never null
 */
public record TrackReport(Map<String, Integer> falseTracksByClass, int spuriousBeside, int spuriousElsewhere,
                          List<String> rows) {

    /** The CSV header. */
    public static final String HEADER = "row,class,true_class,item,sightings,max_confidence,mean_confidence,"
            + "along_mm,across_mm,length_mm,width_mm,seen_over_mm,short_of";

    /** How far outside a track's extent a contaminant may lie and still be the one the track saw. */
    private static final double TRACK_SLACK_MM = 10;

    /** Copies. */
    public TrackReport {
        falseTracksByClass = Map.copyOf(falseTracksByClass);
        rows = List.copyOf(rows);
    }

    /**
     * @param decisions the decisions of a run, never null
     * @param judgement the nozzle bar's judgement of the same run, never null
     * @param line      the virtual line the run saw, never null
     * @return the report, never null
     */
    public static TrackReport of(final List<LineInspector.Decision> decisions, final Judgement judgement,
                                 final VirtualLine line) {
        return of(decisions, List.of(), judgement, line);
    }

    /**
     * @param undecided the objects of the run that were never decided: each on a contaminant is listed (an
     *                  {@code undecided} row with the rule it fell short of: why a contaminant the model saw escaped),
     *                  and each elsewhere seen at least twice ({@code undecided_false}: what the rules held back)
     */
    public static TrackReport of(final List<LineInspector.Decision> decisions,
                                 final List<LineInspector.Undecided> undecided, final Judgement judgement,
                                 final VirtualLine line) {
        final Map<String, Integer> falseByClass = new TreeMap<>();
        final List<String> rows = new java.util.ArrayList<>();
        for (final LineInspector.Decision d : decisions) {
            final TrackedObject o = d.object();
            final BeltItem under = contaminantUnder(o, line);
            final boolean real = under != null;
            if (!real) {
                falseByClass.merge(o.cls(), 1, Integer::sum);
            }
            rows.add(String.format(Locale.ROOT, "%s,%s,%s,%s,%d,%.3f,%.3f,%.1f,%.1f,%.1f,%.1f,%.1f,",
                    real ? "track" : "false_track", o.cls(), real ? under.cls().wireName() : "",
                    real ? Long.toString(under.id()) : "", o.sightings(), o.confidence(), o.meanConfidence(),
                    o.alongMm(), o.acrossMm(), o.lengthMm(), o.widthMm(), o.seenOverMm()));
        }
        for (final LineInspector.Undecided u : undecided) {
            final TrackedObject o = u.object();
            final BeltItem under = contaminantUnder(o, line);
            if (under == null && o.sightings() < 2) {
                continue; // one glimpse of something: the rules are there for these
            }
            final String why = u.shortOf() == null ? "" : u.shortOf();
            rows.add(String.format(Locale.ROOT, "%s,%s,%s,%s,%d,%.3f,%.3f,%.1f,%.1f,%.1f,%.1f,%.1f,%s",
                    under != null ? "undecided" : "undecided_false", o.cls(),
                    under != null ? under.cls().wireName() : "", under != null ? Long.toString(under.id()) : "",
                    o.sightings(), o.confidence(), o.meanConfidence(), o.alongMm(), o.acrossMm(), o.lengthMm(),
                    o.widthMm(), o.seenOverMm(), why));
        }
        for (final Judgement.ItemVerdict v : judgement.verdicts()) {
            if (v.outcome() == Judgement.Outcome.ESCAPED) {
                final BeltItem it = v.item();
                rows.add(String.format(Locale.ROOT, "escaped,,%s,%d,,,,%.1f,%.1f,%.1f,%.1f,,", it.cls().wireName(),
                        it.id(), it.alongMm(), it.acrossMm(), 2 * it.halfAlongExtent(), 2 * it.halfAcrossExtent()));
            }
        }
        int beside = 0;
        int elsewhere = 0;
        for (final PulseRecord p : judgement.pulses()) {
            if (!p.spurious()) {
                continue;
            }
            final BeltItem near = nearestContaminant(p, line);
            if (near != null) {
                beside++;
                // The pulse's own extent, then the contaminant it missed beside, so box error can be read off.
                rows.add(String.format(Locale.ROOT, "spurious_beside,valve %d,%s,%d,,,,%.1f,%.1f,%.1f,%.1f,,", p.valve(),
                        near.cls().wireName(), near.id(), (p.surfaceFromMm() + p.surfaceToMm()) / 2,
                        (p.acrossFromMm() + p.acrossToMm()) / 2, p.surfaceToMm() - p.surfaceFromMm(),
                        p.acrossToMm() - p.acrossFromMm()));
                rows.add(String.format(Locale.ROOT, "missed_beside,,%s,%d,,,,%.1f,%.1f,%.1f,%.1f,,", near.cls().wireName(),
                        near.id(), near.alongMm(), near.acrossMm(), 2 * near.halfAlongExtent(),
                        2 * near.halfAcrossExtent()));
            } else {
                elsewhere++;
                rows.add(String.format(Locale.ROOT, "spurious_elsewhere,valve %d,,,,,,%.1f,%.1f,%.1f,%.1f,,", p.valve(),
                        (p.surfaceFromMm() + p.surfaceToMm()) / 2, (p.acrossFromMm() + p.acrossToMm()) / 2,
                        p.surfaceToMm() - p.surfaceFromMm(), p.acrossToMm() - p.acrossFromMm()));
            }
        }
        return new TrackReport(falseByClass, beside, elsewhere, rows);
    }

    private static BeltItem contaminantUnder(final TrackedObject o, final VirtualLine line) {
        final double a0 = o.alongMm() - o.lengthMm() / 2 - TRACK_SLACK_MM;
        final double a1 = o.alongMm() + o.lengthMm() / 2 + TRACK_SLACK_MM;
        final double c0 = o.acrossMm() - o.widthMm() / 2 - TRACK_SLACK_MM;
        final double c1 = o.acrossMm() + o.widthMm() / 2 + TRACK_SLACK_MM;
        // Items are indexed by their centre: look far enough upstream and downstream for a long twine. Of several
        // under the track, the one of the track's class, then the nearest, is the one it saw.
        BeltItem best = null;
        double bestScore = Double.MAX_VALUE;
        for (final BeltItem it : line.contaminantsBetween(a0 - 400, a1 + 400)) {
            if (a0 <= it.alongMm() + it.halfAlongExtent() && it.alongMm() - it.halfAlongExtent() <= a1
                    && c0 <= it.acrossMm() + it.halfAcrossExtent() && it.acrossMm() - it.halfAcrossExtent() <= c1) {
                final double score = Math.hypot(it.alongMm() - o.alongMm(), it.acrossMm() - o.acrossMm())
                        + (it.cls().wireName().equals(o.cls()) ? 0 : 1e6);
                if (score < bestScore) {
                    bestScore = score;
                    best = it;
                }
            }
        }
        return best;
    }

    /** The contaminant nearest across to a spurious pulse, within 40 mm across and 20 mm along, or null. */
    private static BeltItem nearestContaminant(final PulseRecord p, final VirtualLine line) {
        BeltItem best = null;
        double bestGap = Double.MAX_VALUE;
        for (final BeltItem it : line.contaminantsBetween(p.surfaceFromMm() - 400, p.surfaceToMm() + 400)) {
            if (p.surfaceFromMm() - 20 <= it.alongMm() + it.halfAlongExtent()
                    && it.alongMm() - it.halfAlongExtent() <= p.surfaceToMm() + 20
                    && p.acrossFromMm() - 40 <= it.acrossMm() + it.halfAcrossExtent()
                    && it.acrossMm() - it.halfAcrossExtent() <= p.acrossToMm() + 40) {
                final double gap = Math.max(0, Math.max(p.acrossFromMm() - (it.acrossMm() + it.halfAcrossExtent()),
                        it.acrossMm() - it.halfAcrossExtent() - p.acrossToMm()));
                if (gap < bestGap) {
                    bestGap = gap;
                    best = it;
                }
            }
        }
        return best;
    }

    /**
     * Writes the CSV (header and rows) to a file, replacing it.
     *
     * @param file where, never null
     * @throws IOException when the file cannot be written
     */
    public void write(final Path file) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write(HEADER);
            w.write('\n');
            for (final String r : rows) {
                w.write(r);
                w.write('\n');
            }
        }
    }
}
