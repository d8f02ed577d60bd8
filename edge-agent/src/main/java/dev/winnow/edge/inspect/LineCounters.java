package dev.winnow.edge.inspect;

import java.util.Map;
import java.util.TreeMap;

/** Counters of one line since the last snapshot; the owner synchronises. */
final class LineCounters {
    long frames;
    long droppedFrames;
    long objects;
    long escapes;
    long lateDecisions;
    final Map<String, Long> detections = new TreeMap<>();
    final Map<String, Long> rejections = new TreeMap<>();
    final LatencyWindow latency = new LatencyWindow(4096);

    void reset() {
        frames = 0;
        droppedFrames = 0;
        objects = 0;
        escapes = 0;
        lateDecisions = 0;
        detections.clear();
        rejections.clear();
        latency.reset();
    }
}
