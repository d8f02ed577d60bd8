package dev.winnow.edge.link;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winnow.protocol.Alarm;
import dev.winnow.protocol.DeviceTime;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The clock the agent stamps what it sends with: the system clock while it agrees with the control server's, the
 * server's time when it does not.
 *
 * <p>A Raspberry Pi has no battery-backed clock. After a power cut it starts from the time it last saved, and on a
 * mill network without a time server it stays there, so its rejections and stats would be filed at the wrong minutes.
 * This clock reads the server's ({@link DeviceTime}, over HTTP, as an SNTP client does: the time the server answered
 * against the middle of the request, from the quickest of {@value #SAMPLES} requests) at start and every minute.
 * When the system clock is more than {@link #APPLY} off it adds the difference; within it, it trusts the system clock
 * (set by NTP, to the millisecond). When the system clock is stepped (NTP reached at last), the step is taken off the
 * correction at once, read against the monotonic clock, so stamps never jump; the next reading then drops it.
 *
 * <p>Only stamps use it: timing on the line runs on the monotonic clock. Thread-safe.
 */
public final class ServerTime extends Clock implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ServerTime.class);
    /** The system clock is corrected only when it is further than this from the server's. */
    public static final Duration APPLY = Duration.ofSeconds(2);
    /** A change of the system clock against the monotonic clock larger than this is a step, not drift. */
    static final long STEP_MS = 1_000;
    /** The system clock is compared with the monotonic clock only when both are read within this (ns). */
    private static final long BRACKET_NANOS = 5_000_000;
    /** Requests a reading takes the quickest of. */
    static final int SAMPLES = 4;
    private static final Duration EVERY = Duration.ofMinutes(1);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(3);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One request for the server's time: its answer in ms since the epoch. */
    @FunctionalInterface
    public interface Source {
        long serverMillis() throws IOException, InterruptedException;
    }

    /** Told when the correction starts, ends or changes by more than {@link #APPLY}. */
    @FunctionalInterface
    public interface Listener {
        /** @param offsetMs what is now added to the system clock: 0 when it is trusted */
        void changed(long offsetMs);
    }

    private final Clock system;
    private final LongSupplier nanos;
    private final Source source;
    private volatile Listener listener = offset -> { };
    private volatile ScheduledExecutorService worker;
    // guarded by this
    private long offsetMs;
    private long announced;
    private long reference;
    private boolean referenced;
    private volatile boolean failing;

    ServerTime(final Clock system, final LongSupplier nanos, final Source source) {
        this.system = system;
        this.nanos = nanos;
        this.source = source;
    }

    /**
     * Reads the server at {@code server} (its base address) with the device's credentials (nullable when the
     * server asks for none) now and then every minute, on a thread of its own: the agent never waits for the server
     * to start, and stamps with the system clock until the first answer (milliseconds, when the server is up).
     */
    public static ServerTime start(final URI server, final String username, final String password) {
        final ServerTime t = new ServerTime(Clock.systemUTC(), System::nanoTime, http(server, username, password));
        t.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            final Thread th = new Thread(r, "server-time");
            th.setDaemon(true);
            return th;
        });
        t.worker.scheduleWithFixedDelay(t::refresh, 0, EVERY.toMillis(), TimeUnit.MILLISECONDS);
        return t;
    }

    /** A {@link Source} asking {@code GET {server}/}{@value DeviceTime#PATH} with HTTP Basic credentials. */
    static Source http(final URI server, final String username, final String password) {
        final URI uri = URI.create(server.toString().endsWith("/") ? server.toString() : server + "/")
                .resolve(DeviceTime.PATH);
        final HttpClient client = HttpClient.newBuilder().connectTimeout(REQUEST_TIMEOUT).build();
        final String authorization = username == null ? null : "Basic " + Base64.getEncoder().encodeToString(
                (username + ":" + (password == null ? "" : password)).getBytes(StandardCharsets.UTF_8));
        return () -> {
            final HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).GET();
            if (authorization != null) {
                b.header("Authorization", authorization);
            }
            final HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IOException(uri + " answered " + r.statusCode() + ": " + r.body());
            }
            final JsonNode n = JSON.readTree(r.body()).path(DeviceTime.EPOCH_MS);
            if (!n.canConvertToLong()) {
                throw new IOException(uri + " answered without '" + DeviceTime.EPOCH_MS + "': " + r.body());
            }
            return n.asLong();
        };
    }

    /** The cause of the agent's alarm while it stamps with the server's time. */
    public static final String CAUSE = "clock_from_server";

    /**
     * A listener that raises an information alarm ({@link #CAUSE}) while the agent corrects its clock, and clears it
     * when the system clock is trusted again, so the engineer learns that the Pi needs a time server.
     *
     * @param wall the clock the alarms are stamped with (this one)
     * @param sink where the alarms go (the uplink); called from the thread that reads the server
     */
    public static Listener alarms(final Clock wall, final java.util.function.Consumer<Alarm> sink) {
        return new Listener() {
            private boolean raised;

            @Override
            public synchronized void changed(final long offsetMs) {
                if (offsetMs == 0 && !raised) {
                    return;
                }
                raised = offsetMs != 0;
                final String message = offsetMs == 0
                        ? "This Pi's clock agrees with the control server's again; the agent stamps with it."
                        : "This Pi's clock is " + DeviceTime.span(offsetMs) + " " + (offsetMs > 0 ? "behind" : "ahead of")
                        + " the control server's, so the agent stamps what it sends with the server's time. Give the "
                        + "Pi a time server (hardware/setup-pi.sh --time-server HOST): the system's own logs still "
                        + "carry the wrong time.";
                sink.accept(new Alarm("clock-" + java.util.UUID.randomUUID(), wall.instant(),
                        raised ? Alarm.State.RAISED : Alarm.State.CLEARED, Alarm.Severity.INFO, CAUSE, message, null));
            }
        };
    }

    /** Called with the current correction at once (from the calling thread), then on every change. */
    public void onChange(final Listener l) {
        final long now;
        synchronized (this) {
            listener = l;
            now = offsetMs;
            announced = now;
        }
        l.changed(now);
    }

    /** What is added to the system clock now, ms: 0 while it is trusted. */
    public synchronized long offsetMs() {
        follow();
        return offsetMs;
    }

    /**
     * Reads the server's clock and corrects by it; logs and keeps the correction it had when the server cannot be
     * reached.
     */
    void refresh() {
        try {
            measure();
            if (failing) {
                LOG.info("server time: {} answers again", DeviceTime.PATH);
                failing = false;
            }
        } catch (final IOException | RuntimeException e) {
            if (!failing) {
                LOG.warn("server time: cannot read the control server's clock ({}); stamping with {}", e.toString(),
                        offsetMs() == 0 ? "the system clock" : "the last correction");
                failing = true;
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Reads the server's clock {@value #SAMPLES} times and corrects by the quickest reading.
     *
     * @return the correction now applied, ms
     * @throws IOException when no request was answered
     */
    long measure() throws IOException, InterruptedException {
        long bestRtt = Long.MAX_VALUE;
        long measured = 0;
        IOException last = null;
        for (int i = 0; i < SAMPLES; i++) {
            final long sent = system.millis();
            final long server;
            try {
                server = source.serverMillis();
            } catch (final IOException e) {
                last = e;
                continue;
            }
            final long received = system.millis();
            if (received - sent >= 0 && received - sent < bestRtt) {
                bestRtt = received - sent;
                measured = server - (sent + received) / 2;
            }
        }
        if (bestRtt == Long.MAX_VALUE) {
            throw last != null ? last : new IOException("no usable reading of the server's clock");
        }
        final long next = Math.abs(measured) > APPLY.toMillis() ? measured : 0;
        final Listener tell;
        synchronized (this) {
            follow();
            // against what the listener was last told: a step of the system clock may have ended the correction
            final boolean changed = (next == 0) != (announced == 0) || Math.abs(next - announced) > APPLY.toMillis();
            offsetMs = next;
            if (changed) {
                announced = next;
            }
            tell = changed ? listener : null;
        }
        if (tell != null) {
            tell.changed(next);
        }
        return next;
    }

    /** Takes a step of the system clock (against the monotonic clock) off the correction, so stamps stay smooth. */
    private void follow() {
        final long before = nanos.getAsLong();
        final long millis = system.millis();
        final long after = nanos.getAsLong();
        if (after - before > BRACKET_NANOS) {
            return; // descheduled between the readings (a loaded machine): this pair would look like a step
        }
        final long ref = millis - (before + (after - before) / 2) / 1_000_000;
        if (referenced) {
            final long step = ref - reference;
            if (offsetMs != 0 && Math.abs(step) > STEP_MS) {
                offsetMs -= step;
                LOG.info("server time: the system clock was stepped by {} ms; the correction is now {} ms", step,
                        offsetMs);
                if (worker != null) {
                    worker.execute(this::refresh); // read the server again now rather than within a minute
                }
            }
        }
        reference = ref;
        referenced = true;
    }

    @Override
    public Instant instant() {
        final long add = offsetMs();
        return add == 0 ? system.instant() : system.instant().plusMillis(add);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(final ZoneId zone) {
        if (ZoneOffset.UTC.equals(zone)) {
            return this;
        }
        throw new UnsupportedOperationException("stamps are UTC");
    }

    @Override
    public void close() {
        if (worker != null) {
            worker.shutdownNow();
        }
    }
}
