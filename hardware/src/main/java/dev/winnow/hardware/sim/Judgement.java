package dev.winnow.hardware.sim;

import java.util.List;

/**
 * A judgement of the nozzle bar's work so far.
 *
 * @param result   the counters, never null
 * @param pulses   completed pulses, oldest first (the most recent {@link VirtualValveBank#MAX_RECORDS}), never null
 * @param verdicts judged items, oldest first (the most recent {@link VirtualValveBank#MAX_RECORDS}): every
 *                 judged contaminant and every collateral tuft; never null
 */
public record Judgement(LineResult result, List<PulseRecord> pulses, List<ItemVerdict> verdicts) {

    /** Copies the lists. */
    public Judgement {
        pulses = List.copyOf(pulses);
        verdicts = List.copyOf(verdicts);
    }

    /** What happened to one item. */
    public enum Outcome {
        /** a contaminant blown off */
        CAPTURED,
        /** a contaminant that went on into the process */
        ESCAPED,
        /** a clean tuft blown off */
        COLLATERAL
    }

    /**
     * @param item    the item, never null
     * @param outcome never null
     * @param coverage fraction of the item's sample points under a jet, 0..1
     */
    public record ItemVerdict(BeltItem item, Outcome outcome, double coverage) {
    }

    /** @return the verdict for an item id, or null when it has not been judged (or is no longer retained) */
    public ItemVerdict verdictOf(final long itemId) {
        for (final ItemVerdict v : verdicts) {
            if (v.item().id() == itemId) {
                return v;
            }
        }
        return null;
    }
}
