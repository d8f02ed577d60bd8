package dev.winnow.edge.camera;

import dev.winnow.hardware.encoder.BeltEncoder;
import dev.winnow.hardware.sim.LineClock;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FrameGrabber;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * An IP camera's RTSP or HTTP stream, or a compressed video file (H.264, MPEG-4, MJPEG, ... in MP4, MKV, AVI,
 * MPEG-TS), through JavaCV's FFmpeg grabber. JavaCV's OpenCV build reads V4L2 devices but has no FFmpeg back end,
 * so everything that is not a local device comes through here.
 *
 * <p>Frames are stamped with the line clock and the encoder count as they are decoded. A stream that cannot be
 * opened, stops delivering for {@code timeoutMs} or ends throws {@link IOException} naming the target; the camera
 * pipeline reports it and calls {@link #next()} again with backoff, which reopens. A file that runs out ends the
 * source ({@code null}) unless it loops.
 */
public final class StreamSource implements FrameSource {

    private final String cameraId;
    private final String target;
    private final boolean live;
    private final FrameShape shape;
    private final boolean loop;
    private final int timeoutMs;
    private final LineClock clock;
    private final BeltEncoder encoder;
    static {
        // FFmpeg prints every stream's layout at INFO on each open (and reconnect); the agent logs what matters
        avutil.av_log_set_level(avutil.AV_LOG_ERROR);
    }

    private FFmpegFrameGrabber grabber;
    private long sequence;
    /** With a crop the grabber decodes whole pictures and OpenCV cuts and scales them. */
    private final OpenCVFrameConverter.ToMat toMat = new OpenCVFrameConverter.ToMat();
    private final Mat scaled = new Mat();

    /**
     * @param target    an {@code rtsp://}, {@code http(s)://} URL or a file path
     * @param width     scale to this width (0 = as delivered; then height must be 0 too)
     * @param loop      for files: start again at the end instead of ending
     * @param timeoutMs for streams: a read that waits longer than this fails
     */
    public StreamSource(final String cameraId, final String target, final int width, final int height,
                        final boolean loop, final int timeoutMs, final LineClock clock, final BeltEncoder encoder) {
        this(cameraId, target, new FrameShape(cameraId, null, width, height), loop, timeoutMs, clock, encoder);
    }

    /**
     * @param target    an {@code rtsp://}, {@code http(s)://} URL or a file path
     * @param shape     the region kept and the size it is scaled to
     * @param loop      for files: start again at the end instead of ending
     * @param timeoutMs for streams: a read that waits longer than this fails
     */
    public StreamSource(final String cameraId, final String target, final FrameShape shape, final boolean loop,
                        final int timeoutMs, final LineClock clock, final BeltEncoder encoder) {
        this.cameraId = cameraId;
        this.target = target;
        this.live = target.contains("://");
        this.shape = shape;
        this.loop = loop;
        this.timeoutMs = timeoutMs;
        this.clock = clock;
        this.encoder = encoder;
    }

    @Override
    public String cameraId() {
        return cameraId;
    }

    private void open() throws IOException {
        final FFmpegFrameGrabber g = new FFmpegFrameGrabber(target);
        g.setPixelFormat(avutil.AV_PIX_FMT_BGR24);
        if (shape.crop() == null && shape.width() > 0) {
            g.setImageWidth(shape.width()); // FFmpeg scales as it converts: no second pass
            g.setImageHeight(shape.height());
        }
        if (live) {
            final String micros = Long.toString(timeoutMs * 1000L);
            if (target.startsWith("rtsp")) {
                // UDP loses whole frames on a busy mill network; TCP delays them instead
                g.setOption("rtsp_transport", "tcp");
                g.setOption("timeout", micros);
            } else {
                g.setOption("rw_timeout", micros);
            }
        }
        try {
            g.start();
        } catch (final FrameGrabber.Exception e) {
            release(g);
            throw new IOException("cannot open " + target + ": " + e.getMessage(), e);
        }
        grabber = g;
    }

    @Override
    public Frame next() throws IOException {
        if (grabber == null) {
            open();
        }
        org.bytedeco.javacv.Frame image = grab();
        if (image == null && !live && loop) {
            close();
            open();
            image = grab();
        }
        if (image == null) {
            if (!live) {
                return null; // the file ran out
            }
            close();
            throw new IOException("lost " + target + " (the stream ended)");
        }
        return toFrame(image);
    }

    private org.bytedeco.javacv.Frame grab() throws IOException {
        try {
            return grabber.grabImage();
        } catch (final FrameGrabber.Exception e) {
            close();
            throw new IOException("lost " + target + ": " + e.getMessage(), e);
        }
    }

    private Frame toFrame(final org.bytedeco.javacv.Frame image) {
        final long now = clock.nanos();
        final long count = encoder.count();
        final int w = image.imageWidth;
        final int h = image.imageHeight;
        // the grabber delivers BGR24 as asked; its channel count is derived from the row stride, so check the rows
        if (image.imageDepth != org.bytedeco.javacv.Frame.DEPTH_UBYTE || image.imageStride < w * 3) {
            throw new IllegalStateException("camera " + cameraId + " decodes depth " + image.imageDepth
                    + " with rows of " + image.imageStride + " bytes, not 8-bit BGR of width " + w);
        }
        if (shape.crop() != null) {
            return shape.frame(toMat.convert(image), scaled, sequence++, now, count);
        }
        final ByteBuffer data = (ByteBuffer) image.image[0];
        final int rowBytes = w * 3;
        final byte[] bgr = new byte[rowBytes * h];
        // rows may be padded: copy each row without its padding
        for (int y = 0; y < h; y++) {
            data.get(y * image.imageStride, bgr, y * rowBytes, rowBytes);
        }
        return new Frame(cameraId, sequence++, now, count, w, h, bgr);
    }

    private static void release(final FFmpegFrameGrabber g) {
        try {
            g.release();
        } catch (final FrameGrabber.Exception ignored) {
            // releasing a grabber that failed to start: nothing is left to free
        }
    }

    @Override
    public void close() {
        if (grabber != null) {
            try {
                grabber.stop();
            } catch (final FrameGrabber.Exception ignored) {
                // a broken stream may fail to stop cleanly; release frees it regardless
            }
            release(grabber);
            grabber = null;
        }
    }
}
