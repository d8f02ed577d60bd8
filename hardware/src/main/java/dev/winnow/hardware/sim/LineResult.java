package dev.winnow.hardware.sim;

import java.util.Map;

/**
 * The virtual line's score card at one instant. Only contaminants that have fully passed the
 * nozzle bar's jet zone are judged; those still upstream are {@code pending}.
 *
 * @param contaminants     judged contaminants (= captured + escaped)
 * @param captured         judged contaminants at least half covered by air jets
 * @param escaped          judged contaminants that passed the bar without being captured
 * @param pulses           valve pulses completed (closed)
 * @param spuriousPulses   completed pulses that touched no contaminant
 * @param collateralTufts  clean tufts blown off (at least half covered) that have passed the bar
 * @param capturedByClass  never null, every class present
 * @param escapedByClass   never null, every class present
 * @param pending          contaminants already on the belt but not yet past the bar
 * @param judgedAtNanos    the line-clock time of the judgement
 */
public record LineResult(long contaminants, long captured, long escaped, long pulses, long spuriousPulses,
                         long collateralTufts, Map<ContaminantClass, Long> capturedByClass,
                         Map<ContaminantClass, Long> escapedByClass, long pending, long judgedAtNanos) {

    /** Copies the maps. */
    public LineResult {
        capturedByClass = Map.copyOf(capturedByClass);
        escapedByClass = Map.copyOf(escapedByClass);
    }

    /** @return captured / contaminants, or 1 when nothing has been judged yet */
    public double captureRate() {
        return contaminants == 0 ? 1.0 : (double) captured / contaminants;
    }
}
