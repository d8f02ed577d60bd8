package dev.winnow.edge.camera;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;

import dev.winnow.hardware.encoder.BeltEncoder;
import dev.winnow.hardware.sim.ManualClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.global.opencv_videoio;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;
import org.bytedeco.opencv.opencv_videoio.VideoWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real files through the real grabbers: a Motion-JPEG video written by OpenCV, and a folder of images. */
final class FrameSourceTest {

    /** An encoder the test moves by hand. */
    static final class HandEncoder implements BeltEncoder {
        final AtomicLong count = new AtomicLong();

        @Override
        public long count() {
            return count.get();
        }

        @Override
        public double mmPerCount() {
            return 0.5;
        }
    }

    /** Frame i is a flat grey of level 10 * i, so the order of frames read back can be checked. */
    private static Path writeVideo(final Path dir, final int frames) {
        final Path file = dir.resolve("belt.avi");
        try (VideoWriter w = new VideoWriter(file.toString(), opencv_videoio.CAP_OPENCV_MJPEG, VideoWriter.fourcc((byte) 'M', (byte) 'J', (byte) 'P',
                (byte) 'G'), 25, new Size(64, 48), true)) {
            assertThat(w.isOpened()).as("OpenCV can write an MJPG AVI").isTrue();
            for (int i = 0; i < frames; i++) {
                try (Mat m = new Mat(48, 64, CV_8UC3, new Scalar(10.0 * i, 10.0 * i, 10.0 * i, 0))) {
                    w.write(m);
                }
            }
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
    void aVideoFileIsReadInOrderWithSequenceClockAndEncoderOnEveryFrame(@TempDir final Path dir) throws Exception {
        final Path file = writeVideo(dir, 12);
        final ManualClock clock = new ManualClock(1_000_000);
        final HandEncoder encoder = new HandEncoder();
        final List<Frame> frames = new ArrayList<>();
        try (VideoSource source = new VideoSource("cam-rgb", file.toString(), 0, 0, false, clock, encoder)) {
            Frame f;
            while ((f = source.next()) != null) {
                frames.add(f);
                clock.advanceMillis(40);
                encoder.count.addAndGet(100);
            }
        }
        assertThat(frames).hasSize(12);
        for (int i = 0; i < frames.size(); i++) {
            final Frame f = frames.get(i);
            assertThat(f.camera()).isEqualTo("cam-rgb");
            assertThat(f.sequence()).isEqualTo(i);
            assertThat(f.captureNanos()).isEqualTo(1_000_000 + i * 40_000_000L);
            assertThat(f.encoderCount()).isEqualTo(i * 100L);
            assertThat(f.width()).isEqualTo(64);
            assertThat(f.height()).isEqualTo(48);
            // JPEG is lossy: the grey level survives within a few levels
            assertThat(meanLevel(f)).isBetween(10 * i - 3, 10 * i + 3);
        }
    }

    @Test
    void aLoopingVideoStartsAgainAndKeepsCountingSequenceNumbers(@TempDir final Path dir) throws Exception {
        final Path file = writeVideo(dir, 3);
        try (VideoSource source = new VideoSource("cam", file.toString(), 32, 24, true, new ManualClock(),
                new HandEncoder())) {
            final List<Frame> frames = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                frames.add(source.next());
            }
            assertThat(frames).extracting(Frame::sequence).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L);
            assertThat(frames).extracting(FrameSourceTest::meanLevel)
                    .satisfies(levels -> assertThat(levels.get(3)).isBetween(-3, 3))
                    .satisfies(levels -> assertThat(levels.get(5)).isBetween(17, 23));
            assertThat(frames.get(0).width()).as("resized to the configured size").isEqualTo(32);
            assertThat(frames.get(0).height()).isEqualTo(24);
        }
    }

    @Test
    void aMissingVideoFailsWithItsNameSoThePipelineCanRetry(@TempDir final Path dir) {
        final String missing = dir.resolve("no-such.avi").toString();
        try (VideoSource source = new VideoSource("cam", missing, 0, 0, false, new ManualClock(),
                new HandEncoder())) {
            assertThatThrownBy(source::next).isInstanceOf(IOException.class).hasMessageContaining(missing);
        }
    }

    @Test
    void anImageFolderIsReadInNameOrderAtTheConfiguredRate(@TempDir final Path dir) throws Exception {
        for (int i = 0; i < 3; i++) {
            try (Mat m = new Mat(20, 30, CV_8UC3, new Scalar(50.0 * i, 50.0 * i, 50.0 * i, 0))) {
                assertThat(opencv_imgcodecs.imwrite(dir.resolve("f" + i + ".png").toString(), m)).isTrue();
            }
        }
        Files.writeString(dir.resolve("notes.txt"), "not an image");
        final ManualClock clock = new ManualClock(0);
        final HandEncoder encoder = new HandEncoder();
        try (ImageFolderSource source = new ImageFolderSource("cam", dir, 10, false, clock, encoder)) {
            final List<Frame> frames = new ArrayList<>();
            Frame f;
            while ((f = source.next()) != null) {
                frames.add(f);
                clock.advanceMillis(100); // 10 fps: the next image is due now
                encoder.count.addAndGet(7);
            }
            assertThat(frames).extracting(FrameSourceTest::meanLevel).containsExactly(0, 50, 100);
            assertThat(frames).extracting(Frame::captureNanos).containsExactly(0L, 100_000_000L, 200_000_000L);
            assertThat(frames).extracting(Frame::encoderCount).containsExactly(0L, 7L, 14L);
        }
    }

    /** A 64 x 48 picture: dark (level 20) except a bright (level 220) block at x 32..63, y 12..35. */
    private static Mat blockPicture() {
        final Mat m = new Mat(48, 64, CV_8UC3, new Scalar(20, 20, 20, 0));
        try (Mat block = new Mat(m, new org.bytedeco.opencv.opencv_core.Rect(32, 12, 32, 24))) {
            block.put(new Scalar(220, 220, 220, 0));
        }
        return m;
    }

    @Test
    void aCropKeepsARegionOfThePictureAndThenScalesIt(@TempDir final Path dir) throws Exception {
        try (Mat m = blockPicture()) {
            assertThat(opencv_imgcodecs.imwrite(dir.resolve("f0.png").toString(), m)).isTrue();
        }
        final FrameShape cropAndScale = new FrameShape("cam", new FrameShape.Crop(32, 12, 32, 24), 16, 6);
        try (ImageFolderSource source = new ImageFolderSource("cam", dir, 10, false, cropAndScale, new ManualClock(),
                new HandEncoder())) {
            final Frame f = source.next();
            assertThat(f.width()).isEqualTo(16);
            assertThat(f.height()).isEqualTo(6);
            assertThat(meanLevel(f)).as("only the bright block is left").isEqualTo(220);
        }
        try (ImageFolderSource source = new ImageFolderSource("cam", dir, 10, false,
                new FrameShape("cam", new FrameShape.Crop(0, 0, 32, 48), 0, 0), new ManualClock(), new HandEncoder())) {
            final Frame f = source.next();
            assertThat(f.width()).as("cropped, not scaled").isEqualTo(32);
            assertThat(f.height()).isEqualTo(48);
            assertThat(meanLevel(f)).as("the dark half").isEqualTo(20);
        }
        try (ImageFolderSource source = new ImageFolderSource("cam", dir, 10, false,
                new FrameShape("cam", null, 32, 24), new ManualClock(), new HandEncoder())) {
            final Frame f = source.next();
            assertThat(f.width()).as("a folder's images are scaled as configured too").isEqualTo(32);
            assertThat(meanLevel(f)).as("a quarter bright").isBetween(65, 75);
        }
    }

    @Test
    void aCropOutsideThePictureFailsNamingBothSizes(@TempDir final Path dir) throws Exception {
        final Path file = dir.resolve("belt.avi");
        try (VideoWriter w = new VideoWriter(file.toString(), opencv_videoio.CAP_OPENCV_MJPEG, VideoWriter.fourcc(
                (byte) 'M', (byte) 'J', (byte) 'P', (byte) 'G'), 25, new Size(64, 48), true); Mat m = blockPicture()) {
            w.write(m);
            w.write(m);
        }
        try (VideoSource source = new VideoSource("cam-rgb", file.toString(),
                new FrameShape("cam-rgb", new FrameShape.Crop(32, 12, 32, 24), 0, 0), false, new ManualClock(),
                new HandEncoder())) {
            final Frame f = source.next();
            assertThat(f.width()).isEqualTo(32);
            assertThat(meanLevel(f)).as("the bright block, through MJPEG").isBetween(215, 225);
        }
        try (VideoSource source = new VideoSource("cam-rgb", file.toString(),
                new FrameShape("cam-rgb", new FrameShape.Crop(0, 270, 1280, 480), 480, 180), false, new ManualClock(),
                new HandEncoder())) {
            assertThatThrownBy(source::next).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("camera cam-rgb: crop [0, 270, 1280, 480] reaches outside its 64x48 picture");
        }
    }

    @Test
    void aCropSmallerThanEightPixelsIsRefused() {
        assertThatThrownBy(() -> new FrameShape.Crop(0, 0, 4, 48)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("width and height >= 8");
    }

    @Test
    void aFolderWithoutImagesIsRefusedWithItsName(@TempDir final Path dir) throws Exception {
        Files.writeString(dir.resolve("readme.txt"), "x");
        assertThatThrownBy(() -> new ImageFolderSource("cam", dir, 10, false, new ManualClock(), new HandEncoder()))
                .isInstanceOf(IOException.class).hasMessageContaining("no images").hasMessageContaining(dir.toString());
    }

    @Test
    void aCameraThatFailsIsReportedAndReopenedWithGrowingBackoff() throws Exception {
        final List<Long> attempts = new java.util.concurrent.CopyOnWriteArrayList<>();
        final FrameSource flaky = new FrameSource() {
            @Override
            public String cameraId() {
                return "cam-flaky";
            }

            @Override
            public Frame next() throws IOException {
                attempts.add(System.nanoTime());
                if (attempts.size() <= 3) {
                    throw new IOException("lost /dev/video0");
                }
                return null; // back, and then the file ends
            }

            @Override
            public void close() {
            }
        };
        final List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        final dev.winnow.edge.detect.FrameDetector none = new dev.winnow.edge.detect.FrameDetector() {
            @Override
            public List<dev.winnow.edge.detect.PixelDetection> detect(final Frame frame) {
                throw new AssertionError("no frame was delivered");
            }

            @Override
            public String version() {
                return "none";
            }
        };
        try (CameraPipeline pipeline = new CameraPipeline(flaky, none, null, failures::add)) {
            pipeline.start();
            final long deadline = System.nanoTime() + 10_000_000_000L;
            while (!pipeline.ended() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(pipeline.ended()).as("the source was reopened after three failures").isTrue();
        }
        assertThat(failures).containsExactly("camera cam-flaky failed: lost /dev/video0",
                "camera cam-flaky failed: lost /dev/video0", "camera cam-flaky failed: lost /dev/video0");
        assertThat(attempts).hasSize(4);
        // backoff 100, 200, 400 ms between the attempts (a lower bound: the scheduler may add, never remove)
        final long[] gapsMs = new long[3];
        for (int i = 0; i < 3; i++) {
            gapsMs[i] = (attempts.get(i + 1) - attempts.get(i)) / 1_000_000;
        }
        assertThat(gapsMs[0]).isGreaterThanOrEqualTo(100);
        assertThat(gapsMs[1]).isGreaterThanOrEqualTo(200);
        assertThat(gapsMs[2]).isGreaterThanOrEqualTo(400);
    }
}
