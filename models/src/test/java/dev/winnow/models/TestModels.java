package dev.winnow.models;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** Locates the generated test model folders (src/test/resources/models, made by make_test_models.py). */
public final class TestModels {
    private TestModels() {
    }

    public static Path dir(final String name) {
        try {
            return Path.of(TestModels.class.getResource("/models/" + name).toURI());
        } catch (final URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A uniform BGR frame. */
    public static byte[] frame(final int w, final int h, final int b, final int g, final int r) {
        final byte[] f = new byte[3 * w * h];
        for (int i = 0; i < w * h; i++) {
            f[3 * i] = (byte) b;
            f[3 * i + 1] = (byte) g;
            f[3 * i + 2] = (byte) r;
        }
        return f;
    }
}
