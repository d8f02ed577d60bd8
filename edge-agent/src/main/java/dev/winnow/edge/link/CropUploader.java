package dev.winnow.edge.link;

import dev.winnow.edge.camera.Frame;
import dev.winnow.edge.camera.Jpeg;
import dev.winnow.edge.detect.PixelDetection;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the picture of each rejection — the rejected object cut from the frame that decided it, with some cotton
 * around it — to the control server ({@code PUT /api/device/crops/{rejection id}}, device credentials), so
 * operators see what was blown off.
 *
 * <p>The picture is secondary to the event: the event travels through the outbox and is never lost; a picture is
 * best effort. {@link #offer} only copies the few kilobytes of the cut-out and returns — it never waits, so the
 * decision thread is never held up — and at most {@code capacity} pictures wait; beyond that they are dropped and
 * counted. The server accepts a picture only once it has stored the event (it answers 404 before), and the event
 * may still be on its way or in the outbox during a broker outage, so 404, 5xx and network errors are retried
 * with a doubling delay; any other refusal is final. Every picture ends up counted as uploaded, dropped or failed.
 */
public final class CropUploader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CropUploader.class);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final long MAX_DELAY_MS = 8_000;

    /**
     * @param server      the control server's web address, e.g. {@code https://winnow.mill.lan/}
     * @param username    nullable: the device's user name (HTTP Basic), as for MQTT
     * @param password    nullable
     * @param capacity    pictures that may wait (queued or between retries) before new ones are dropped
     * @param firstRetry  delay before the first retry; doubles per attempt up to 8 s
     * @param maxAttempts attempts per picture before it is given up (counted as failed)
     */
    public record Settings(URI server, String username, String password, int capacity, Duration firstRetry,
                           int maxAttempts) {
        public Settings {
            Objects.requireNonNull(server, "server");
            if (!"http".equals(server.getScheme()) && !"https".equals(server.getScheme())) {
                throw new IllegalArgumentException("crop uploads need an http(s) server address, got '" + server + "'");
            }
            if (!server.getPath().endsWith("/")) {
                // resolve() drops a last path segment without its slash (and glues to a bare host)
                server = URI.create(server + "/");
            }
            if (capacity < 1 || maxAttempts < 1 || firstRetry.isNegative()) {
                throw new IllegalArgumentException("capacity and maxAttempts must be >= 1, firstRetry >= 0");
            }
        }

        /** 64 waiting pictures, retries after 0.25, 0.5, 1, 2, 4, 8, 8, 8 s (about half a minute in all). */
        public static Settings of(final URI server, final String username, final String password) {
            return new Settings(server, username, password, 64, Duration.ofMillis(250), 9);
        }
    }

    /** Pictures so far: sent and accepted, dropped because too many waited, refused or given up. */
    public record Counts(long uploaded, long dropped, long failed) {
    }

    /** A rejection's picture, cut out: interleaved BGR. */
    public record Cutout(String rejectId, int width, int height, byte[] bgr) {
    }

    private final Settings settings;
    private final HttpClient http;
    private final ScheduledExecutorService worker;
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicLong uploaded = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final String authorization;

    public CropUploader(final Settings settings) {
        this.settings = settings;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            final Thread t = new Thread(r, "crop-upload");
            t.setDaemon(true);
            return t;
        });
        this.authorization = settings.username() == null ? null : "Basic " + Base64.getEncoder().encodeToString(
                (settings.username() + ":" + (settings.password() == null ? "" : settings.password()))
                        .getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Cuts the detection's box out of the frame with a margin of half the box's longer side (at least 12 px)
     * each side, at least 48 px square where the frame allows, at most 256 px.
     */
    public static Cutout cut(final String rejectId, final Frame frame, final PixelDetection box) {
        final double side = Math.max(box.width(), box.height());
        final double margin = Math.max(12, side / 2);
        final double cx = box.x() + box.width() / 2;
        final double cy = box.y() + box.height() / 2;
        final double halfW = Math.min(128, Math.max(24, box.width() / 2 + margin));
        final double halfH = Math.min(128, Math.max(24, box.height() / 2 + margin));
        final int x0 = clamp((int) Math.floor(cx - halfW), 0, frame.width() - 1);
        final int y0 = clamp((int) Math.floor(cy - halfH), 0, frame.height() - 1);
        final int x1 = clamp((int) Math.ceil(cx + halfW), x0 + 1, frame.width());
        final int y1 = clamp((int) Math.ceil(cy + halfH), y0 + 1, frame.height());
        final int w = x1 - x0;
        final int h = y1 - y0;
        final byte[] out = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            System.arraycopy(frame.bgr(), ((y0 + y) * frame.width() + x0) * 3, out, y * w * 3, w * 3);
        }
        return new Cutout(rejectId, w, h, out);
    }

    private static int clamp(final int v, final int lo, final int hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    /**
     * Queues the picture of a rejection; returns at once. False when it was dropped (too many waiting, or
     * closed).
     */
    public boolean offer(final String rejectId, final Frame frame, final PixelDetection box) {
        if (waiting.incrementAndGet() > settings.capacity()) {
            waiting.decrementAndGet();
            dropped.incrementAndGet();
            return false;
        }
        final Cutout cutout = cut(rejectId, frame, box);
        try {
            worker.execute(() -> attempt(cutout, null, 1));
            return true;
        } catch (final RejectedExecutionException e) {
            waiting.decrementAndGet();
            dropped.incrementAndGet();
            return false;
        }
    }

    private void attempt(final Cutout c, final byte[] encoded, final int attempt) {
        byte[] jpeg = encoded;
        String problem;
        boolean retry;
        try {
            if (jpeg == null) {
                jpeg = Jpeg.encode(c.bgr(), c.width(), c.height());
            }
            final HttpRequest.Builder rb = HttpRequest.newBuilder(settings.server().resolve("api/device/crops/" + c.rejectId()))
                    .timeout(REQUEST_TIMEOUT).header("Content-Type", "image/jpeg")
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(jpeg));
            if (authorization != null) {
                rb.header("Authorization", authorization);
            }
            final HttpResponse<String> r = http.send(rb.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 == 2) {
                uploaded.incrementAndGet();
                waiting.decrementAndGet();
                return;
            }
            // 404: the server has not stored the event yet (still in flight, or in the outbox during an outage).
            retry = r.statusCode() == 404 || r.statusCode() / 100 == 5;
            final String body = r.body() == null ? "" : r.body().strip();
            problem = "HTTP " + r.statusCode() + (body.isEmpty() ? "" : " " + (body.length() > 200
                    ? body.substring(0, 200) + "…" : body));
        } catch (final IOException e) {
            retry = true;
            problem = e.toString();
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            retry = false;
            problem = "interrupted";
        } catch (final RuntimeException e) {
            retry = false;
            problem = e.toString();
        }
        if (retry && attempt < settings.maxAttempts()) {
            final long delay = Math.min(MAX_DELAY_MS, settings.firstRetry().toMillis() << Math.min(20, attempt - 1));
            final byte[] again = jpeg;
            try {
                worker.schedule(() -> attempt(c, again, attempt + 1), delay, TimeUnit.MILLISECONDS);
                return;
            } catch (final RejectedExecutionException closed) {
                problem = problem + "; uploader closed";
            }
        }
        final long n = failed.incrementAndGet();
        waiting.decrementAndGet();
        // One line for the first few failures, then one in a hundred: a server that refuses every picture must
        // not flood the device's log.
        if (n <= 5 || n % 100 == 0) {
            LOG.warn("picture of rejection {} not uploaded after {} attempt(s): {} ({} failed so far)", c.rejectId(),
                    attempt, problem, n);
        }
    }

    /** Waits up to {@code timeout} for the waiting pictures to be sent or given up; true when none is left. */
    public boolean drain(final Duration timeout) throws InterruptedException {
        final long end = System.nanoTime() + timeout.toNanos();
        while (waiting.get() > 0 && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        return waiting.get() == 0;
    }

    public Counts counts() {
        return new Counts(uploaded.get(), dropped.get(), failed.get());
    }

    /** Pictures queued or between retries. */
    public int waiting() {
        return Math.max(0, waiting.get());
    }

    /** Stops at once; pictures still waiting are counted as dropped. */
    @Override
    public void close() {
        worker.shutdownNow();
        final int left = waiting.getAndSet(0);
        if (left > 0) {
            dropped.addAndGet(left);
        }
    }
}
