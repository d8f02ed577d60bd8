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

    /**
     * The identity path (frame already at the input's scale) must write exactly the bits the general
     * resampling path writes, padding included, for every channel order, resize mode and normalisation.
     */
    @Test
    void identityPathIsBitIdenticalToTheGeneralPath() {
        final Normalisation imagenet = new Normalisation(1 / 255.0, List.of(0.485, 0.456, 0.406),
                List.of(0.229, 0.224, 0.225));
        final java.util.Random random = new java.util.Random(7);
        // {input w, input h, frame w, frame h, letterbox}: the camera case (320x240 into 320x256), a frame
        // narrower than the input (left/right padding), a frame of exactly the input size stretched, odd padding.
        final int[][] cases = {{320, 256, 320, 240, 1}, {64, 48, 40, 48, 1}, {32, 24, 32, 24, 0}, {16, 16, 16, 13, 1}};
        for (final int[] c : cases) {
            for (final ColourOrder order : ColourOrder.values()) {
                for (final ResizeMode resize : ResizeMode.values()) {
                    for (final Normalisation norm : List.of(Normalisation.ULTRALYTICS, imagenet, RAW)) {
                        final InputSpec spec = new InputSpec(c[0], c[1], order, c[4] == 1, 114, resize, norm);
                        final byte[] frame = new byte[3 * c[2] * c[3]];
                        random.nextBytes(frame);
                        final FloatBuffer fast = buffer(c[0], c[1]);
                        final FloatBuffer general = buffer(c[0], c[1]);
                        final Preprocessor fastPre = new Preprocessor(spec, fast);
                        final LetterboxTransform tf = fastPre.apply(frame, c[2], c[3]);
                        final LetterboxTransform tg = new Preprocessor(spec, general, false).apply(frame, c[2], c[3]);
                        assertThat(tf).isEqualTo(tg);
                        assertThat(tf.scaleX()).isEqualTo(1f);
                        assertThat(bits(fast)).as("%s %s %s %s", java.util.Arrays.toString(c), order, resize, norm)
                                .isEqualTo(bits(general));
                        // A second frame into the same (now dirty) buffer: everything, padding too, is rewritten.
                        random.nextBytes(frame);
                        for (int i = 0; i < fast.capacity(); i++) {
                            fast.put(i, Float.NaN);
                        }
                        fastPre.apply(frame, c[2], c[3]);
                        new Preprocessor(spec, general, false).apply(frame, c[2], c[3]);
                        assertThat(bits(fast)).isEqualTo(bits(general));
                    }
                }
            }
        }
    }

    private static int[] bits(final FloatBuffer b) {
        final int[] out = new int[b.capacity()];
        for (int i = 0; i < out.length; i++) {
            out[i] = Float.floatToRawIntBits(b.get(i));
        }
        return out;
    }

    @Test
    void rejectsShortFrameBuffer() {
        final InputSpec spec = new InputSpec(8, 8, ColourOrder.RGB, true, 114, ResizeMode.BILINEAR, RAW);
        assertThatThrownBy(() -> new Preprocessor(spec, buffer(8, 8)).apply(new byte[10], 4, 4))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs 48");
    }
}
