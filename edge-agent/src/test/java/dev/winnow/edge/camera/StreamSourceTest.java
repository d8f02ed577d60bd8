package dev.winnow.edge.camera;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.winnow.edge.camera.FrameSourceTest.HandEncoder;
import dev.winnow.hardware.sim.ManualClock;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compressed video through FFmpeg: an MP4 file, and an MPEG-TS stream served by a real HTTP server. */
final class StreamSourceTest {

    private static final int W = 64;
    private static final int H = 48;

    /** Frame i is a flat grey of level 20 * i (MPEG-4, so the order of frames read back can be checked). */
    private static Path record(final Path file, final String format, final int frames) throws Exception {
        try (FFmpegFrameRecorder r = new FFmpegFrameRecorder(file.toString(), W, H, 0)) {
            r.setFormat(format);
            r.setVideoCodec(avcodec.AV_CODEC_ID_MPEG4);
            r.setVideoQuality(2);
            r.setFrameRate(25);
            r.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
            r.setGopSize(1);
            r.start();
            for (int i = 0; i < frames; i++) {
                final org.bytedeco.javacv.Frame f = new org.bytedeco.javacv.Frame(W, H,
                        org.bytedeco.javacv.Frame.DEPTH_UBYTE, 3);
                final ByteBuffer b = (ByteBuffer) f.image[0];
                for (int p = 0; p < b.capacity(); p++) {
                    b.put(p, (byte) (20 * i));
                }
                r.record(f, avutil.AV_PIX_FMT_BGR24);
            }
            r.stop();
        }
        return file;
    }

    private static int meanLevel(final Frame f) {
        long sum = 0;
        for (final byte b : f.bgr()) {
            sum += b & 0xff;
        }
        return (int) Math.round((double) sum / f.bgr().length);
    }

    @Test
    void anMp4FileIsDecodedInOrderAndScaledWithClockAndEncoderStamps(@TempDir final Path dir) throws Exception {
        final Path file = record(dir.resolve("belt.mp4"), "mp4", 8);
        final ManualClock clock = new ManualClock(5_000);
        final HandEncoder encoder = new HandEncoder();
        final List<Frame> frames = new ArrayList<>();
        try (StreamSource source = new StreamSource("cam-rgb", file.toString(), 32, 24, false, 0, clock, encoder)) {
            Frame f;
            while ((f = source.next()) != null) {
                frames.add(f);
                clock.advanceMillis(40);
                encoder.count.addAndGet(25);
            }
        }
        assertThat(frames).hasSize(8);
        for (int i = 0; i < 8; i++) {
            final Frame f = frames.get(i);
            assertThat(f.sequence()).isEqualTo(i);
            assertThat(f.captureNanos()).isEqualTo(5_000 + i * 40_000_000L);
            assertThat(f.encoderCount()).isEqualTo(25L * i);
            assertThat(f.width()).isEqualTo(32);
            assertThat(f.height()).isEqualTo(24);
            assertThat(meanLevel(f)).as("frame %d", i).isBetween(20 * i - 4, 20 * i + 4);
        }
    }

    @Test
    void aLoopingFileStartsAgain(@TempDir final Path dir) throws Exception {
        final Path file = record(dir.resolve("belt.mp4"), "mp4", 2);
        try (StreamSource source = new StreamSource("cam", file.toString(), 0, 0, true, 0, new ManualClock(),
                new HandEncoder())) {
            final List<Integer> levels = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                levels.add(meanLevel(source.next()));
            }
            assertThat(levels.get(0)).isBetween(0, 4);
            assertThat(levels.get(1)).isBetween(16, 24);
            assertThat(levels.get(2)).isBetween(0, 4);
            assertThat(levels.get(4)).isBetween(0, 4);
        }
    }

    @Test
    void aCroppedStreamIsCutFromTheWholePictureThenScaled(@TempDir final Path dir) throws Exception {
        final Path file = dir.resolve("halves.mp4");
        try (FFmpegFrameRecorder r = new FFmpegFrameRecorder(file.toString(), W, H, 0)) {
            r.setFormat("mp4");
            r.setVideoCodec(avcodec.AV_CODEC_ID_MPEG4);
            r.setVideoQuality(2);
            r.setFrameRate(25);
            r.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
            r.start();
            for (int i = 0; i < 3; i++) {
                final org.bytedeco.javacv.Frame f = new org.bytedeco.javacv.Frame(W, H,
                        org.bytedeco.javacv.Frame.DEPTH_UBYTE, 3);
                final ByteBuffer b = (ByteBuffer) f.image[0];
                for (int p = 0; p < b.capacity(); p++) {
                    final int x = (p % f.imageStride) / 3;
                    b.put(p, (byte) (x < W / 2 ? 20 : 220)); // dark left half, bright right half
                }
                r.record(f, avutil.AV_PIX_FMT_BGR24);
            }
            r.stop();
        }
        final FrameShape rightHalf = new FrameShape("cam", new FrameShape.Crop(W / 2 + 4, 0, W / 2 - 4, H), 14, 24);
        try (StreamSource source = new StreamSource("cam", file.toString(), rightHalf, false, 0, new ManualClock(),
                new HandEncoder())) {
            final Frame f = source.next();
            assertThat(f.width()).isEqualTo(14);
            assertThat(f.height()).isEqualTo(24);
            assertThat(meanLevel(f)).as("only the bright half is left").isBetween(212, 228);
        }
    }

    @Test
    void anHttpStreamIsReadAndItsEndIsALossThePipelineRetries(@TempDir final Path dir) throws Exception {
        final byte[] ts = Files.readAllBytes(record(dir.resolve("belt.ts"), "mpegts", 6));
        final HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/stream.ts", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "video/mp2t");
            exchange.sendResponseHeaders(200, ts.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(ts);
            }
        });
        server.start();
        final String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/stream.ts";
        try (StreamSource source = new StreamSource("cam-ip", url, 0, 0, false, 2_000, new ManualClock(),
                new HandEncoder())) {
            final List<Integer> levels = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                final Frame f = source.next();
                assertThat(f.width()).isEqualTo(W);
                levels.add(meanLevel(f));
            }
            for (int i = 0; i < 6; i++) {
                assertThat(levels.get(i)).as("frame %d", i).isBetween(20 * i - 4, 20 * i + 4);
            }
            // a live camera does not end: the end of the stream is a lost camera, reported with its address
            assertThatThrownBy(source::next).isInstanceOf(IOException.class).hasMessageContaining("lost " + url);
            // and the next call reconnects: the camera is back
            assertThat(meanLevel(source.next())).isBetween(0, 4);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void anUnreachableStreamFailsWithItsAddress() throws Exception {
        final int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        final String url = "http://127.0.0.1:" + closedPort + "/cam";
        try (StreamSource source = new StreamSource("cam-ip", url, 0, 0, false, 1_000, new ManualClock(),
                new HandEncoder())) {
            assertThatThrownBy(source::next).isInstanceOf(IOException.class).hasMessageContaining("cannot open " + url);
        }
    }

    @Test
    void aHalfGivenSizeIsRefused() {
        assertThatThrownBy(() -> new StreamSource("cam", "x.mp4", 640, 0, false, 0, new ManualClock(),
                new HandEncoder())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("640x0");
    }
}
