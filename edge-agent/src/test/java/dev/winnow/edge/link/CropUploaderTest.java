package dev.winnow.edge.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.winnow.edge.camera.Frame;
import dev.winnow.edge.detect.PixelDetection;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client side of {@code PUT /api/device/crops/{id}}, against a stub server that answers what the control
 * server answers (201, 404 before the event is stored, 403, 503). The real server is exercised end to end in
 * {@code EndToEndTest}.
 */
final class CropUploaderTest {

    /** One request as the stub saw it. */
    record Seen(String path, String authorization, String contentType, byte[] body) {
    }

    private HttpServer server;
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final Deque<Integer> answers = new ArrayDeque<>();

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            final byte[] body = ex.getRequestBody().readAllBytes();
            seen.add(new Seen(ex.getRequestURI().getPath(), ex.getRequestHeaders().getFirst("Authorization"),
                    ex.getRequestHeaders().getFirst("Content-Type"), body));
            final int status;
            synchronized (answers) {
                status = answers.isEmpty() ? 201 : answers.poll();
            }
            final byte[] reply = ("{\"status\":" + status + "}").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, reply.length);
            ex.getResponseBody().write(reply);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private URI base() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private void answer(final Integer... statuses) {
        synchronized (answers) {
            answers.addAll(List.of(statuses));
        }
    }

    /** A grey 320x240 frame with a red 10x4 object at (100, 50). */
    private static Frame frame() {
        final byte[] bgr = new byte[320 * 240 * 3];
        java.util.Arrays.fill(bgr, (byte) 200);
        for (int y = 50; y < 54; y++) {
            for (int x = 100; x < 110; x++) {
                final int i = (y * 320 + x) * 3;
                bgr[i] = 0;
                bgr[i + 1] = 0;
                bgr[i + 2] = (byte) 255;
            }
        }
        return new Frame("colour-1", 1, 0, 0, 320, 240, bgr);
    }

    private static final PixelDetection OBJECT = new PixelDetection("coloured_fibre", 0.9, 100, 50, 10, 4);

    @Test
    void aPictureIsTheObjectWithCottonAroundItAsJpegWithTheDevicesCredentials() throws Exception {
        try (CropUploader up = new CropUploader(new CropUploader.Settings(base(), "mill.line-1.pi-1", "s3cret", 8,
                Duration.ofMillis(5), 3))) {
            assertThat(up.offer("pi-1-abc-1", frame(), OBJECT)).isTrue();
            assertThat(up.drain(Duration.ofSeconds(10))).isTrue();
            assertThat(up.counts()).isEqualTo(new CropUploader.Counts(1, 0, 0));
        }
        assertThat(seen).hasSize(1);
        final Seen s = seen.get(0);
        assertThat(s.path()).isEqualTo("/api/device/crops/pi-1-abc-1");
        assertThat(s.contentType()).isEqualTo("image/jpeg");
        assertThat(s.authorization()).isEqualTo("Basic " + Base64.getEncoder()
                .encodeToString("mill.line-1.pi-1:s3cret".getBytes(StandardCharsets.UTF_8)));
        final BufferedImage img = ImageIO.read(new ByteArrayInputStream(s.body()));
        assertThat(img).as("a readable JPEG").isNotNull();
        // 10x4 box: 12 px of cotton each side, widened to 48 px square
        assertThat(img.getWidth()).isEqualTo(48);
        assertThat(img.getHeight()).isEqualTo(48);
        final int centre = img.getRGB(24, 24);
        assertThat((centre >> 16) & 0xff).as("red at the centre").isGreaterThan(150);
        assertThat(centre & 0xff).as("little blue at the centre").isLessThan(100);
        final int corner = img.getRGB(2, 2);
        assertThat((corner >> 16) & 0xff).as("grey cotton in the corner").isBetween(180, 220);
        assertThat(corner & 0xff).isBetween(180, 220);
    }

    @Test
    void aPictureWaitsForItsEventToBeStored404IsRetried() throws Exception {
        answer(404, 404, 503);
        try (CropUploader up = new CropUploader(new CropUploader.Settings(base(), null, null, 8,
                Duration.ofMillis(5), 5))) {
            up.offer("pi-1-abc-2", frame(), OBJECT);
            assertThat(up.drain(Duration.ofSeconds(10))).isTrue();
            assertThat(up.counts()).isEqualTo(new CropUploader.Counts(1, 0, 0));
        }
        assertThat(seen).hasSize(4);
        assertThat(seen.get(0).authorization()).as("no credentials configured, none sent").isNull();
        assertThat(seen.get(3).body()).isEqualTo(seen.get(0).body());
    }

    @Test
    void aRefusalIsFinalAndCounted() throws Exception {
        answer(403);
        try (CropUploader up = new CropUploader(new CropUploader.Settings(base(), "x", "y", 8,
                Duration.ofMillis(5), 5))) {
            up.offer("pi-2-abc-1", frame(), OBJECT);
            assertThat(up.drain(Duration.ofSeconds(10))).isTrue();
            assertThat(up.counts()).isEqualTo(new CropUploader.Counts(0, 0, 1));
        }
        assertThat(seen).as("403 is not retried").hasSize(1);
    }

    @Test
    void aPictureWhoseEventNeverArrivesIsGivenUpAfterItsAttempts() throws Exception {
        answer(404, 404, 404, 404, 404, 404);
        try (CropUploader up = new CropUploader(new CropUploader.Settings(base(), null, null, 8,
                Duration.ofMillis(2), 3))) {
            up.offer("pi-1-abc-3", frame(), OBJECT);
            assertThat(up.drain(Duration.ofSeconds(10))).isTrue();
            assertThat(up.counts()).isEqualTo(new CropUploader.Counts(0, 0, 1));
        }
        assertThat(seen).hasSize(3);
    }

    @Test
    void beyondItsCapacityPicturesAreDroppedAndCountedNeverWaitedFor() throws Exception {
        // Nothing listens here: every attempt fails to connect and is retried, so pictures pile up.
        final URI nobody = URI.create("http://127.0.0.1:1/");
        try (CropUploader up = new CropUploader(new CropUploader.Settings(nobody, null, null, 2,
                Duration.ofSeconds(30), 5))) {
            assertThat(up.offer("a", frame(), OBJECT)).isTrue();
            assertThat(up.offer("b", frame(), OBJECT)).isTrue();
            assertThat(up.offer("c", frame(), OBJECT)).isFalse();
            assertThat(up.counts().dropped()).isEqualTo(1);
            assertThat(up.waiting()).isEqualTo(2);
            up.close();
            assertThat(up.counts().dropped()).as("closing counts what still waited").isEqualTo(3);
            assertThat(up.offer("d", frame(), OBJECT)).isFalse();
        }
    }

    @Test
    void aCutNearTheFrameEdgeStaysInsideTheFrame() {
        final CropUploader.Cutout c = CropUploader.cut("id", frame(), new PixelDetection("straw", 0.9, 310, 230, 10, 10));
        assertThat(c.width()).isBetween(1, 320);
        assertThat(c.height()).isBetween(1, 240);
        assertThat(c.bgr()).hasSize(c.width() * c.height() * 3);
        final CropUploader.Cutout big = CropUploader.cut("id", frame(), new PixelDetection("film", 0.9, 0, 0, 320, 240));
        assertThat(big.width()).as("at most 256 px").isEqualTo(256);
    }

    @Test
    void anAddressThatIsNotHttpIsRefused() {
        assertThatThrownBy(() -> CropUploader.Settings.of(URI.create("tcp://127.0.0.1:1883"), null, null))
                .hasMessageContaining("http(s)");
    }
}
