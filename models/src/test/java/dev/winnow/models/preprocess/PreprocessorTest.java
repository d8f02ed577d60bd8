package dev.winnow.models.preprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.winnow.models.card.ColourOrder;
import dev.winnow.models.card.InputSpec;
import dev.winnow.models.card.Normalisation;
import dev.winnow.models.card.ResizeMode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class PreprocessorTest {

    private static final Normalisation RAW = new Normalisation(1.0, List.of(0.0, 0.0, 0.0), List.of(1.0, 1.0, 1.0));

    private static FloatBuffer buffer(final int w, final int h) {
        return ByteBuffer.allocateDirect(4 * 3 * w * h).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    private static float[] plane(final FloatBuffer b, final int p, final int w, final int h) {
        final float[] out = new float[w * h];
        b.get(p * w * h, out);
        return out;
    }

    @Test
    void letterboxPadsTopAndBottomAndSwapsToRgb() {
        // 4x2 frame into 4x4: scale 1, image rows 1..2, pad rows 0 and 3.
        final InputSpec spec = new InputSpec(4, 4, ColourOrder.RGB, true, 114, ResizeMode.NEAREST, RAW);
        final FloatBuffer buf = buffer(4, 4);
        final byte[] frame = new byte[3 * 8];
        for (int i = 0; i < 8; i++) {
            frame[3 * i] = (byte) 10; // B
            frame[3 * i + 1] = (byte) 20; // G
            frame[3 * i + 2] = (byte) (100 + i); // R varies per pixel
        }
        final LetterboxTransform t = new Preprocessor(spec, buf).apply(frame, 4, 2);
        assertThat(t).isEqualTo(new LetterboxTransform(1f, 1f, 0f, 1f, 4, 2));
        assertThat(plane(buf, 0, 4, 4)).containsExactly(
                114, 114, 114, 114,
                100, 101, 102, 103,
                104, 105, 106, 107,
                114, 114, 114, 114);
        assertThat(plane(buf, 1, 4, 4)).containsExactly(
                114, 114, 114, 114, 20, 20, 20, 20, 20, 20, 20, 20, 114, 114, 114, 114);
        assertThat(plane(buf, 2, 4, 4)).containsExactly(
                114, 114, 114, 114, 10, 10, 10, 10, 10, 10, 10, 10, 114, 114, 114, 114);
    }

    @Test
    void bilinearStretchMatchesHandComputedWeights() {
        // 2x1 frame stretched to 4x2 (no letterbox): source x = (x + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25.
        final InputSpec spec = new InputSpec(4, 2, ColourOrder.BGR, false, 0, ResizeMode.BILINEAR, RAW);
        final FloatBuffer buf = buffer(4, 2);
        final byte[] frame = {0, 0, 0, (byte) 200, 0, 0}; // B channel: 0 then 200
        final LetterboxTransform t = new Preprocessor(spec, buf).apply(frame, 2, 1);
        assertThat(t.scaleX()).isEqualTo(2f);
        assertThat(t.scaleY()).isEqualTo(2f);
        assertThat(plane(buf, 0, 4, 2)).containsExactly(0, 50, 150, 200, 0, 50, 150, 200);
    }

    @Test
    void normalisationIsAppliedPerChannel() {
        final Normalisation imagenet = new Normalisation(1 / 255.0, List.of(0.5, 0.25, 0.0), List.of(0.5, 0.25, 2.0));
        final InputSpec spec = new InputSpec(2, 2, ColourOrder.RGB, false, 0, ResizeMode.NEAREST, imagenet);
        final FloatBuffer buf = buffer(2, 2);
        final byte[] frame = new byte[12];
        for (int i = 0; i < 4; i++) {
            frame[3 * i] = (byte) 255; // B
            frame[3 * i + 1] = 0; // G
            frame[3 * i + 2] = (byte) 255; // R
        }
        new Preprocessor(spec, buf).apply(frame, 2, 2);
        assertThat(buf.get(0)).isCloseTo((1f - 0.5f) / 0.5f, within(1e-6f)); // R plane
        assertThat(buf.get(4)).isCloseTo((0f - 0.25f) / 0.25f, within(1e-6f)); // G plane
        assertThat(buf.get(8)).isCloseTo(1f / 2f, within(1e-6f)); // B plane
    }

    @Test
    void downscaleLetterboxTransformMapsBack() {
        final InputSpec spec = new InputSpec(64, 64, ColourOrder.RGB, true, 114, ResizeMode.BILINEAR,
                Normalisation.ULTRALYTICS);
        final Preprocessor p = new Preprocessor(spec, buffer(64, 64));
        final LetterboxTransform t = p.apply(new byte[3 * 128 * 64], 128, 64);
        assertThat(t.scale()).isEqualTo(0.5f);
        assertThat(t.padX()).isZero();
        assertThat(t.padY()).isEqualTo(16f);
        assertThat(t.toFrameX(32f)).isEqualTo(64f);
        assertThat(t.toFrameY(16f)).isZero();
        // Same size again: cached transform, same instance (no per-frame allocation).
        assertThat(p.apply(new byte[3 * 128 * 64], 128, 64)).isSameAs(t);
    }

    @Test
    void rejectsShortFrameBuffer() {
        final InputSpec spec = new InputSpec(8, 8, ColourOrder.RGB, true, 114, ResizeMode.BILINEAR, RAW);
        assertThatThrownBy(() -> new Preprocessor(spec, buffer(8, 8)).apply(new byte[10], 4, 4))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs 48");
    }
}
