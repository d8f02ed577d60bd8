package dev.winnow.models.decode;

import dev.winnow.models.card.ModelCard;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

final class DecoderTestSupport {
    private DecoderTestSupport() {
    }

    static FloatBuffer buffer(final float... values) {
        final FloatBuffer b = ByteBuffer.allocateDirect(4 * values.length).order(ByteOrder.nativeOrder())
                .asFloatBuffer();
        b.put(0, values);
        return b;
    }

    static ModelCard card(final String task, final String decoder, final String classes, final int w, final int h,
            final String extra) {
        return ModelCard.parse("""
                {"name": "m", "version": "1", "task": "%s", "decoder": "%s", "classes": [%s],
                 "input": {"width": %d, "height": %d, "layout": "NCHW", "channels": 3, "colourOrder": "rgb",
                           "letterbox": true} %s}
                """.formatted(task, decoder, classes, w, h, extra));
    }
}
