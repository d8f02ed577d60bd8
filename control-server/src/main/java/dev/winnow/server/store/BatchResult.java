package dev.winnow.server.store;

import java.util.List;

/**
 * What one stored batch changed.
 *
 * @param stored          messages that were new and are now stored (all kinds)
 * @param duplicates      messages already stored before (same id), skipped
 * @param newRejections   the rejections stored by this batch, in arrival order
 */
public record BatchResult(int stored, int duplicates, List<Rejection> newRejections) {
    public BatchResult {
        newRejections = List.copyOf(newRejections);
    }
}
