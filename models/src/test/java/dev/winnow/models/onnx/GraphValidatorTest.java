package dev.winnow.models.onnx;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.models.card.ModelCard;
import java.util.List;
import org.junit.jupiter.api.Test;

class GraphValidatorTest {

    private static ModelCard card(final String task, final String decoder, final String classes, final String extra) {
        return ModelCard.parse("""
                {"name": "m", "version": "1", "task": "%s", "decoder": "%s", "classes": [%s],
                 "input": {"width": 640, "height": 480, "layout": "NCHW", "channels": 3, "colourOrder": "rgb",
                           "letterbox": true} %s}
                """.formatted(task, decoder, classes, extra));
    }

    private static final ModelCard SIX = card("detect", "yolo",
            "\"plastic_film\", \"pp_twine\", \"straw\", \"string\", \"feather\", \"coloured_fibre\"", "");
    private static final List<TensorSpec> IN = List.of(new TensorSpec("images", "FLOAT", new long[] {1, 3, 480, 640}));

    @Test
    void cocoModelWithCottonCardSaysWhatDiffers() {
        assertThatThrownBy(() -> GraphValidator.validate(SIX, IN,
                List.of(new TensorSpec("output0", "FLOAT", new long[] {1, 84, 8400}))))
                .isInstanceOf(ModelMismatchException.class)
                .hasMessage("card lists 6 classes so the YOLO output must be [1, 10, N], but the graph's output "
                        + "'output0' is [1, 84, 8400] (80 classes): the card does not match this model");
    }

    @Test
    void dynamicDimensionsAreAccepted() {
        assertThatCode(() -> GraphValidator.validate(SIX,
                List.of(new TensorSpec("images", "FLOAT", new long[] {-1, 3, -1, -1})),
                List.of(new TensorSpec("output0", "FLOAT", new long[] {-1, 10, -1})))).doesNotThrowAnyException();
    }

    @Test
    void transposedAndYolov5HeadsGetHints() {
        assertThatThrownBy(() -> GraphValidator.validate(SIX, IN,
                List.of(new TensorSpec("output0", "FLOAT", new long[] {1, 6300, 10}))))
                .hasMessageContaining("transposed");
        assertThatThrownBy(() -> GraphValidator.validate(SIX, IN,
                List.of(new TensorSpec("output0", "FLOAT", new long[] {1, 11, 6300}))))
                .hasMessageContaining("objectness");
    }

    @Test
    void inputMismatchesAreNamed() {
        assertThatThrownBy(() -> GraphValidator.validate(SIX,
                List.of(new TensorSpec("images", "FLOAT", new long[] {1, 3, 640, 640})),
                List.of(new TensorSpec("output0", "FLOAT", new long[] {1, 10, 100}))))
                .isInstanceOf(ModelMismatchException.class)
                .hasMessage("card says the input is [1, 3, 480, 640] (NCHW, height 480, width 640) but the graph's "
                        + "input 'images' is [1, 3, 640, 640]: the card does not match this model");
        assertThatThrownBy(() -> GraphValidator.validate(SIX,
                List.of(new TensorSpec("images", "FLOAT", new long[] {1, 480, 640, 3})),
                List.of(new TensorSpec("output0", "FLOAT", new long[] {1, 10, 100}))))
                .hasMessageContaining("NHWC");
        assertThatThrownBy(() -> GraphValidator.validate(SIX,
                List.of(new TensorSpec("images", "FLOAT16", new long[] {1, 3, 480, 640})),
                List.of(new TensorSpec("output0", "FLOAT", new long[] {1, 10, 100}))))
                .hasMessageContaining("FLOAT16");
        assertThatThrownBy(() -> GraphValidator.validate(SIX, List.of(),
                List.of(new TensorSpec("output0", "FLOAT", new long[] {1, 10, 100}))))
                .hasMessageContaining("has 0 inputs");
    }

    @Test
    void classMapAndTileShapes() {
        final ModelCard seg = card("segment", "class-map", "\"a\", \"b\"", "");
        assertThatCode(() -> GraphValidator.validateOutput(seg, new TensorSpec("o", "FLOAT", new long[] {1, 3, 120, 160})))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> GraphValidator.validateOutput(seg, new TensorSpec("o", "FLOAT", new long[] {1, 2, 120, 160})))
                .hasMessageContaining("must be [1, 3, H, W] (channel 0 = background)")
                .hasMessageContaining("no background channel");
        final ModelCard tile = card("classify", "tile", "\"clean\", \"dirty\"", ", \"tiles\": {\"cols\": 4, \"rows\": 3}");
        assertThatCode(() -> GraphValidator.validateOutput(tile, new TensorSpec("o", "FLOAT", new long[] {1, 12, 2})))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> GraphValidator.validateOutput(tile, new TensorSpec("o", "FLOAT", new long[] {1, 2})))
                .hasMessageContaining("must be [1, 12, 2]");
        final ModelCard single = card("classify", "tile", "\"clean\", \"dirty\"", "");
        assertThatCode(() -> GraphValidator.validateOutput(single, new TensorSpec("o", "FLOAT", new long[] {1, 2})))
                .doesNotThrowAnyException();
    }
}
