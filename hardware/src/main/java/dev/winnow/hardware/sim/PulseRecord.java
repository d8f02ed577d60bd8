package dev.winnow.hardware.sim;

import java.util.List;

/**
 * One valve opening as the virtual nozzle bar executed it.
 *
 * @param valve         valve index
 * @param openNanos     line-clock time of the open command
 * @param closeNanos    line-clock time of the close command
 * @param jetStartNanos when air reached the belt (open + latency + jitter)
 * @param jetEndNanos   when air stopped (close + latency + jitter, never before jetStartNanos)
 * @param surfaceFromMm first belt-surface coordinate the jet touched (includes half the footprint)
 * @param surfaceToMm   last belt-surface coordinate the jet touched
 * @param acrossFromMm  lateral start of the jet
 * @param acrossToMm    lateral end of the jet
 * @param itemsHit      ids of contaminants the jet touched at all, never null; empty = spurious pulse
 * @param tuftsHit      clean tufts the jet touched
 */
public record PulseRecord(int valve, long openNanos, long closeNanos, long jetStartNanos, long jetEndNanos,
                          double surfaceFromMm, double surfaceToMm, double acrossFromMm, double acrossToMm,
                          List<Long> itemsHit, int tuftsHit) {

    /** Copies the id list. */
    public PulseRecord {
        itemsHit = List.copyOf(itemsHit);
    }

    /** @return true when the pulse touched no contaminant */
    public boolean spurious() {
        return itemsHit.isEmpty();
    }
}
