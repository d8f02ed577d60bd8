package dev.winnow.edge.camera;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;

import dev.winnow.hardware.encoder.BeltEncoder;
import dev.winnow.hardware.sim.LineClock;
import java.io.IOException;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_videoio.VideoCapture;

/**
 * A V4L2/USB/CSI camera, an RTSP/HTTP stream or a video file through OpenCV's {@code VideoCapture}
 * (JavaCV's OpenCV build; its FFmpeg/GStreamer/V4L2 back ends). Frames are stamped with the line
 * clock and the encoder count as they arrive. A failed open or read throws {@link IOException}: the
 * pipeline then reports the failure and calls {@link #next()} again with backoff, which reopens.
 */
public final class VideoSource implements FrameSource {

    private final String cameraId;
    private final String target;
    private final int deviceIndex;
    private final boolean loop;
    private final FrameShape shape;
    private final LineClock clock;
    private final BeltEncoder encoder;
    private VideoCapture capture;
    private final Mat mat = new Mat();
    private final Mat resized = new Mat();
    private long sequence;

    /**
     * @param target  a device path (/dev/video0), a device index ("0"), a URL or a file path
     * @param width   resize to this width (0 = as delivered)
     * @param loop    for files: start again at the end instead of ending
     */
    public VideoSource(final String cameraId, final String target, final int width, final int height,
                       final boolean loop, final LineClock clock, final BeltEncoder encoder) {
        this(cameraId, target, new FrameShape(cameraId, null, width, height), loop, clock, encoder);
    }

    /**
     * @param target a device path (/dev/video0), a device index ("0"), a URL or a file path
     * @param shape  the region kept and the size it is scaled to
     * @param loop   for files: start again at the end instead of ending
     */
    public VideoSource(final String cameraId, final String target, final FrameShape shape, final boolean loop,
                       final LineClock clock, final BeltEncoder encoder) {
        this.cameraId = cameraId;
        this.target = target;
        int idx = -1;
        if (target.matches("\\d+")) {
            idx = Integer.parseInt(target);
        } else if (target.matches("/dev/video\\d+")) {
            idx = Integer.parseInt(target.substring("/dev/video".length()));
        }
        this.deviceIndex = idx;
        this.loop = loop;
        this.shape = shape;
        this.clock = clock;
        this.encoder = encoder;
    }

    @Override
    public String cameraId() {
        return cameraId;
    }

    private void open() throws IOException {
        final VideoCapture c = deviceIndex >= 0 ? new VideoCapture(deviceIndex) : new VideoCapture(target);
        if (!c.isOpened()) {
            c.close();
            throw new IOException("cannot open " + target);
        }
        capture = c;
    }

    @Override
    public Frame next() throws IOException {
        if (capture == null) {
            open();
        }
        if (!capture.read(mat) || mat.empty()) {
            if (deviceIndex < 0 && !target.contains("://")) {
                if (loop) {
                    capture.close();
                    capture = null;
                    open();
                    if (capture.read(mat) && !mat.empty()) {
                        return toFrame();
                    }
                }
                return null; // a file ran out
            }
            capture.close();
            capture = null;
            throw new IOException("lost " + target);
        }
        return toFrame();
    }

    private Frame toFrame() {
        final long now = clock.nanos();
        final long count = encoder.count();
        if (mat.type() != CV_8UC3) {
            throw new IllegalStateException("camera " + cameraId + " delivers type " + mat.type() + ", not 8-bit BGR");
        }
        return shape.frame(mat, resized, sequence++, now, count);
    }

    @Override
    public void close() {
        if (capture != null) {
            capture.close();
            capture = null;
        }
        mat.close();
        resized.close();
    }
}
