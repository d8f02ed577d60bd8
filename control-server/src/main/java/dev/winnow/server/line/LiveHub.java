package dev.winnow.server.line;

import dev.winnow.server.store.BatchResult;
import dev.winnow.server.store.EventStore;
import dev.winnow.server.store.LineSummary;
import dev.winnow.server.store.Rejection;
import io.javalin.http.sse.SseClient;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes live line data to the pages watching it over Server-Sent Events. New rejections go out
 * as soon as their batch is stored ({@code rejections} event); the per-minute summary
 * ({@code summary} event) follows within a second of a change and is refreshed every
 * {@value #REFRESH_S} s so rolling numbers fall back to zero on a quiet line. All sending happens
 * on one thread, so a slow browser cannot stall the ingest.
 */
public final class LiveHub implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LiveHub.class);
    static final int SUMMARY_MINUTES = 30;
    private static final int REFRESH_S = 10;

    private final EventStore store;
    private final Clock clock;
    private final Map<String, Set<SseClient>> watchers = new ConcurrentHashMap<>();
    private final Set<String> dirty = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor(r -> {
        final Thread t = new Thread(r, "winnow-live-push");
        t.setDaemon(true);
        return t;
    });
    private long ticks;

    public LiveHub(final EventStore store, final Clock clock) {
        this.store = store;
        this.clock = clock;
        sender.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.SECONDS);
    }

    static String key(final String site, final String line) {
        return site + "/" + line;
    }

    /** Registers a page; it gets the current summary right away. Called on a web thread. */
    void watch(final String site, final String line, final SseClient client) {
        final String k = key(site, line);
        watchers.computeIfAbsent(k, x -> new CopyOnWriteArraySet<>()).add(client);
        client.onClose(() -> {
            final Set<SseClient> set = watchers.get(k);
            if (set != null) {
                set.remove(client);
            }
        });
        sender.execute(() -> {
            send(client, "hello", "{\"site\":\"" + site + "\",\"line\":\"" + line + "\"}");
            final String summary = summaryJson(site, line);
            if (summary != null) {
                send(client, "summary", summary);
            }
        });
    }

    /** Number of open pages watching a line. */
    public int watching(final String site, final String line) {
        final Set<SseClient> set = watchers.get(key(site, line));
        return set == null ? 0 : set.size();
    }

    /** Called by the ingest after each committed batch. */
    public void onStored(final BatchResult result) {
        if (result.newRejections().isEmpty()) {
            return;
        }
        final Map<String, List<Rejection>> byLine = new LinkedHashMap<>();
        for (Rejection r : result.newRejections()) {
            byLine.computeIfAbsent(key(r.site(), r.line()), k -> new ArrayList<>()).add(r);
        }
        for (Map.Entry<String, List<Rejection>> e : byLine.entrySet()) {
            dirty.add(e.getKey());
            final Set<SseClient> set = watchers.get(e.getKey());
            if (set == null || set.isEmpty()) {
                continue;
            }
            final List<Rejection> newestFirst = new ArrayList<>(e.getValue());
            newestFirst.sort((a, b) -> b.time().compareTo(a.time()));
            final String json = Json.write(Map.of("rejections", newestFirst));
            sender.execute(() -> set.forEach(c -> send(c, "rejections", json)));
        }
    }

    private void tick() {
        try {
            ticks++;
            final Set<String> lines = new HashSet<>(dirty);
            dirty.removeAll(lines);
            if (ticks % REFRESH_S == 0) {
                lines.addAll(watchers.keySet());
            }
            for (String k : lines) {
                final Set<SseClient> set = watchers.get(k);
                if (set == null || set.isEmpty()) {
                    continue;
                }
                final int slash = k.indexOf('/');
                final String json = summaryJson(k.substring(0, slash), k.substring(slash + 1));
                if (json != null) {
                    set.forEach(c -> send(c, "summary", json));
                }
            }
            if (ticks % REFRESH_S == 0) {
                watchers.values().forEach(set -> set.forEach(c -> {
                    if (c.terminated()) {
                        set.remove(c);
                    } else {
                        c.sendComment("keep-alive");
                    }
                }));
            }
        } catch (RuntimeException e) {
            LOG.warn("live push failed: {}", e.toString());
        }
    }

    private String summaryJson(final String site, final String line) {
        try {
            final LineSummary s = store.summary(site, line, SUMMARY_MINUTES, clock.instant());
            return Json.write(s);
        } catch (RuntimeException e) {
            LOG.warn("cannot compute the summary of {}/{}: {}", site, line, e.toString());
            return null;
        }
    }

    private static void send(final SseClient client, final String event, final String json) {
        if (client.terminated()) {
            return;
        }
        try {
            client.sendEvent(event, json);
        } catch (RuntimeException e) {
            LOG.debug("SSE send failed", e);
        }
    }

    @Override
    public void close() {
        sender.shutdownNow();
        watchers.values().forEach(set -> set.forEach(c -> {
            try {
                c.close();
            } catch (RuntimeException e) {
                LOG.debug("closing an SSE client", e);
            }
        }));
        watchers.clear();
    }
}
