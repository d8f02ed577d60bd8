package dev.winnow.server.auth;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** What the broker's gatekeeper refused since start. Thread-safe. */
public final class AuthCounters {

    private final AtomicLong connectsAccepted = new AtomicLong();
    private final AtomicLong connectsRefused = new AtomicLong();
    private final AtomicLong publishesRefused = new AtomicLong();
    private final AtomicLong subscriptionsRefused = new AtomicLong();

    void accepted() {
        connectsAccepted.incrementAndGet();
    }

    void connectRefused() {
        connectsRefused.incrementAndGet();
    }

    void publishRefused() {
        publishesRefused.incrementAndGet();
    }

    void subscriptionRefused() {
        subscriptionsRefused.incrementAndGet();
    }

    public long connectsAccepted() {
        return connectsAccepted.get();
    }

    public long connectsRefused() {
        return connectsRefused.get();
    }

    public long publishesRefused() {
        return publishesRefused.get();
    }

    public long subscriptionsRefused() {
        return subscriptionsRefused.get();
    }

    public Map<String, Long> snapshot() {
        final Map<String, Long> m = new LinkedHashMap<>();
        m.put("connects_accepted", connectsAccepted());
        m.put("connects_refused", connectsRefused());
        m.put("publishes_refused", publishesRefused());
        m.put("subscriptions_refused", subscriptionsRefused());
        return m;
    }
}
