package dev.winnow.edge.camera;

/** A camera, stream, file or folder of images, or the virtual line's camera. */
public interface FrameSource extends AutoCloseable {

    String cameraId();

    /**
     * Blocks until the next frame.
     *
     * @return the frame, or null when the source has ended (a file or folder ran out)
     * @throws java.io.IOException when the source failed; the caller reconnects with backoff
     */
    Frame next() throws java.io.IOException, InterruptedException;

    @Override
    void close();
}
