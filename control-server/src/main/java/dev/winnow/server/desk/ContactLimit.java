package dev.winnow.server.desk;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** At most {@code max} public questions per sender address in any {@code window}; {@code now} is passed in. */
final class ContactLimit {

    private final int max;
    private final Duration window;
    private final Map<String, Deque<Instant>> recent = new ConcurrentHashMap<>();

    ContactLimit(final int max, final Duration window) {
        this.max = max;
        this.window = window;
    }

    /** Counts one question from {@code address} unless that would pass the limit. */
    boolean allow(final String address, final Instant now) {
        final Instant since = now.minus(window);
        if (recent.size() > 10_000) {
            // forget quiet senders, so the table stays small however many addresses write
            recent.values().removeIf(q -> {
                synchronized (q) {
                    return q.isEmpty() || !q.peekLast().isAfter(since);
                }
            });
        }
        final Deque<Instant> q = recent.computeIfAbsent(address, k -> new ArrayDeque<>());
        synchronized (q) {
            while (!q.isEmpty() && !q.peekFirst().isAfter(since)) {
                q.pollFirst();
            }
            if (q.size() >= max) {
                return false;
            }
            q.addLast(now);
            return true;
        }
    }
}
