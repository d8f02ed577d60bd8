package dev.winnow.server.desk;

import dev.winnow.protocol.Kind;
import dev.winnow.protocol.RejectEvent;
import dev.winnow.protocol.Stats;
import dev.winnow.protocol.Topic;
import dev.winnow.server.store.EventStore;
import dev.winnow.server.store.Inbound;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The desk's seeded demo data: three lots of inspection events (stats and rejections, stored
 * through the {@link EventStore} as the ingest stores them) that the sample orders and the golden
 * set refer to. Same data every time.
 */
public final class DeskDemo {

    /** A demo lot: where, when, how long running, what was removed, how many audit detections. */
    public record Lot(String lot, String site, String line, Instant start, int runningMinutes,
                      Map<String, Integer> removed, int audit, String model) {
    }

    public static final List<Lot> LOTS = List.of(
            new Lot("LOT-2604-A17", "mill-a", "line-01", Instant.parse("2026-04-10T06:00:00Z"), 360,
                    counts(41, 17, 9, 4, 2), 5, "yolo-cotton-2.1"),
            new Lot("LOT-2604-B03", "mill-a", "line-02", Instant.parse("2026-04-11T14:00:00Z"), 450,
                    counts(12, 6, 3, 0, 1), 0, "yolo-cotton-2.1"),
            new Lot("LOT-2604-C11", "mill-a", "line-01", Instant.parse("2026-04-12T22:00:00Z"), 240,
                    counts(88, 30, 22, 9, 6), 12, "yolo-cotton-2.2"));

    private DeskDemo() {
    }

    static Map<String, Integer> counts(final int pp, final int jute, final int film, final int feather, final int paper) {
        final Map<String, Integer> m = new LinkedHashMap<>();
        m.put("polypropylene", pp);
        m.put("jute", jute);
        m.put("plastic-film", film);
        m.put("feather", feather);
        m.put("paper", paper);
        m.values().removeIf(v -> v == 0);
        return m;
    }

    /** Stores the demo lots' events; storing twice changes nothing (events are deduplicated by id). */
    public static void seed(final EventStore store) {
        for (final Lot l : LOTS) {
            final List<Inbound> batch = new ArrayList<>();
            final Topic stats = Topic.of(l.site(), l.line(), "edge-1", Kind.STATS);
            final Topic rej = Topic.of(l.site(), l.line(), "edge-1", Kind.REJECT);
            for (int m = 0; m < l.runningMinutes(); m++) {
                final Instant from = l.start().plusSeconds(60L * m);
                batch.add(new Inbound(stats, new Stats(from, from.plusSeconds(60), Stats.Mode.RUNNING, 1800, 0, 40,
                        Map.of(), Map.of(), 0, 0, 12.0, 30.0, 10, 30.0, 0, null, l.lot())));
            }
            int k = 0;
            final List<String[]> events = new ArrayList<>();
            l.removed().forEach((cls, n) -> {
                for (int i = 0; i < n; i++) {
                    events.add(new String[] {cls, "false"});
                }
            });
            for (int i = 0; i < l.audit(); i++) {
                events.add(new String[] {"polypropylene", "true"});
            }
            final long span = 60L * l.runningMinutes() - 60;
            for (final String[] e : events) {
                final Instant t = l.start().plusSeconds(30 + span * k / Math.max(1, events.size()));
                batch.add(new Inbound(rej, new RejectEvent(l.lot() + "-e" + (k++), t, "cam-1", e[0], 0.9, 100, 200,
                        20, 30, List.of(3, 4), 25, Boolean.parseBoolean(e[1]), l.model(), l.lot(), null)));
            }
            try {
                store.store(batch, l.start().plusSeconds(60L * l.runningMinutes()));
            } catch (SQLException e) {
                throw new IllegalStateException("cannot store the desk's demo lots: " + e.getMessage(), e);
            }
        }
    }
}
