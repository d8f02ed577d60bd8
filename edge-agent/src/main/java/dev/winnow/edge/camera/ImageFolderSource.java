package dev.winnow.edge.camera;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;

import dev.winnow.hardware.encoder.BeltEncoder;
import dev.winnow.hardware.sim.LineClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;

/** A folder of images (png, jpg, bmp) in name order, paced at {@code fps}; ends or loops at the end. */
public final class ImageFolderSource implements FrameSource {

    private final String cameraId;
    private final List<Path> files;
    private final long periodNanos;
    private final boolean loop;
    private final LineClock clock;
    private final BeltEncoder encoder;
    private final FrameShape shape;
    private final Mat scaled = new Mat();
    private int index;
    private long sequence;
    private long nextNanos;

    public ImageFolderSource(final String cameraId, final Path folder, final double fps, final boolean loop,
                             final LineClock clock, final BeltEncoder encoder) throws IOException {
        this(cameraId, folder, fps, loop, FrameShape.asDelivered(cameraId), clock, encoder);
    }

    /** @param shape the region of each image kept and the size it is scaled to */
    public ImageFolderSource(final String cameraId, final Path folder, final double fps, final boolean loop,
                             final FrameShape shape, final LineClock clock, final BeltEncoder encoder)
            throws IOException {
        this.cameraId = cameraId;
        this.shape = shape;
        try (Stream<Path> s = Files.list(folder)) {
            this.files = s.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT)
                    .matches(".*\\.(png|jpe?g|bmp)")).sorted().toList();
        }
        if (files.isEmpty()) {
            throw new IOException("no images (png, jpg, bmp) in " + folder);
        }
        this.periodNanos = Math.round(1e9 / fps);
        this.loop = loop;
        this.clock = clock;
        this.encoder = encoder;
        this.nextNanos = clock.nanos();
    }

    @Override
    public String cameraId() {
        return cameraId;
    }

    @Override
    public Frame next() throws IOException, InterruptedException {
        if (index >= files.size()) {
            if (!loop) {
                return null;
            }
            index = 0;
        }
        long now = clock.nanos();
        while (now < nextNanos) {
            LockSupport.parkNanos(nextNanos - now);
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            now = clock.nanos();
        }
        nextNanos = Math.max(nextNanos + periodNanos, now);
        final Path file = files.get(index++);
        try (Mat m = opencv_imgcodecs.imread(file.toString(), IMREAD_COLOR)) {
            if (m.empty()) {
                throw new IOException("cannot read image " + file);
            }
            return shape.frame(m, scaled, sequence++, now, encoder.count());
        }
    }

    @Override
    public void close() {
    }
}
