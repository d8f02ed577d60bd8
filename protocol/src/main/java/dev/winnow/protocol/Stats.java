package dev.winnow.protocol;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * Counters of one reporting interval {@code [from, to)}. Counts are of this interval only, so the
 * server can sum them.
 *
 * @param detections     detections per contaminant class
 * @param rejections     rejections (ejections fired, or that would have fired in audit) per class
 * @param cpuTemperatureC nullable where the device cannot read it
 * @param lot            nullable: the lot running, if the operator set one
 */
public record Stats(Instant from, Instant to, Mode mode, long frames, long droppedFrames, long objects,
                    Map<String, Long> detections, Map<String, Long> rejections, long escapes,
                    long lateDecisions, double latencyP50Ms, double latencyP99Ms, long valveCycles,
                    double fps, long outboxDepth, Double cpuTemperatureC, String lot) implements WireMessage {

    /** What the line was doing at the end of the interval. */
    public enum Mode { RUNNING, AUDIT, FAULT }

    public Stats {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(mode, "mode");
        detections = Map.copyOf(detections);
        rejections = Map.copyOf(rejections);
    }

    @Override
    public Kind kind() {
        return Kind.STATS;
    }
}
