package dev.winnow.server.ingest;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Logs a warning at most once per interval per cause, and says how many were suppressed in
 * between, so a device that floods bad messages cannot flood the log.
 */
final class RateLimitedLog {

    private final Logger log;
    private final long intervalNanos;
    private final Map<String, Entry> causes = new ConcurrentHashMap<>();

    RateLimitedLog(final Logger log, final long intervalMillis) {
        this.log = log;
        this.intervalNanos = intervalMillis * 1_000_000L;
    }

    private static final class Entry {
        volatile long lastNanos;
        final AtomicLong suppressed = new AtomicLong();
    }

    void warn(final String cause, final String message) {
        final long now = System.nanoTime();
        final Entry e = causes.computeIfAbsent(cause, k -> {
            final Entry n = new Entry();
            n.lastNanos = now - intervalNanos - 1;
            return n;
        });
        synchronized (e) {
            if (now - e.lastNanos > intervalNanos) {
                e.lastNanos = now;
                final long s = e.suppressed.getAndSet(0);
                log.warn("{}{}", message, s > 0 ? " (" + s + " more like it since the last report)" : "");
            } else {
                e.suppressed.incrementAndGet();
            }
        }
    }
}
