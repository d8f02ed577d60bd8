package dev.winnow.server.fleet;

import dev.winnow.server.line.Json;
import io.javalin.http.sse.SseClient;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server-sent events for the control-room pages, by channel ({@code lines}, {@code alarms},
 * {@code fleet}, {@code models}, {@code rollouts}). A channel may have a snapshot supplier: it is
 * computed every second while someone watches and sent when it changed (and every 10 s), so pages
 * never poll. Events can also be published directly. All sending happens on one thread.
 */
public final class RoomHub implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RoomHub.class);

    private final Map<String, Set<SseClient>> watchers = new ConcurrentHashMap<>();
    private final Map<String, Supplier<Object>> snapshots = new ConcurrentHashMap<>();
    private final Map<String, String> lastSent = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor(r -> {
        final Thread t = new Thread(r, "winnow-room-push");
        t.setDaemon(true);
        return t;
    });
    private long ticks;

    public RoomHub() {
        sender.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.SECONDS);
    }

    /** Every second while watched: the channel's {@code snapshot} event. */
    public void snapshot(final String channel, final Supplier<Object> supplier) {
        snapshots.put(channel, supplier);
    }

    public void watch(final String channel, final SseClient client) {
        client.keepAlive();
        watchers.computeIfAbsent(channel, k -> new CopyOnWriteArraySet<>()).add(client);
        client.onClose(() -> watchers.getOrDefault(channel, Set.of()).remove(client));
        sender.execute(() -> {
            send(client, "hello", "{\"channel\":\"" + channel + "\"}");
            final Supplier<Object> s = snapshots.get(channel);
            if (s != null) {
                try {
                    send(client, "snapshot", Json.write(s.get()));
                } catch (RuntimeException e) {
                    LOG.warn("snapshot of {} failed: {}", channel, e.toString());
                }
            }
        });
    }

    public int watching(final String channel) {
        return watchers.getOrDefault(channel, Set.of()).size();
    }

    /** Sends an event to everyone watching {@code channel}. */
    public void publish(final String channel, final String event, final Object data) {
        final Set<SseClient> set = watchers.get(channel);
        if (set == null || set.isEmpty()) {
            return;
        }
        final String json = Json.write(data);
        sender.execute(() -> set.forEach(c -> send(c, event, json)));
    }

    /** Recomputes a channel's snapshot now (after a change made through the API). */
    public void poke(final String channel) {
        sender.execute(() -> push(channel, true));
    }

    private void tick() {
        ticks++;
        for (String channel : snapshots.keySet()) {
            push(channel, ticks % 10 == 0);
        }
        if (ticks % 10 == 0) {
            watchers.values().forEach(set -> set.forEach(c -> {
                if (c.terminated()) {
                    set.remove(c);
                } else {
                    c.sendComment("keep-alive");
                }
            }));
        }
    }

    private void push(final String channel, final boolean force) {
        final Set<SseClient> set = watchers.get(channel);
        if (set == null || set.isEmpty()) {
            lastSent.remove(channel);
            return;
        }
        try {
            final String json = Json.write(snapshots.get(channel).get());
            if (force || !json.equals(lastSent.get(channel))) {
                lastSent.put(channel, json);
                set.forEach(c -> send(c, "snapshot", json));
            }
        } catch (RuntimeException e) {
            LOG.warn("snapshot of {} failed: {}", channel, e.toString());
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
