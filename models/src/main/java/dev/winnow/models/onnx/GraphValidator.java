package dev.winnow.models.onnx;

import dev.winnow.models.card.InputSpec;
import dev.winnow.models.card.ModelCard;
import java.util.List;

/**
 * Checks a graph's declared inputs and outputs against its card, before any frame is fed. Pure (no ONNX
 * Runtime) so that every mismatch message can be unit-tested. Dynamic dimensions are accepted wherever the
 * card fixes a value, because exporters often leave batch, size or anchor count dynamic.
 *
 * <p>Output conventions: the decoder reads the graph's FIRST output; extra outputs are ignored.
 * <ul>
 * <li>yolo: {@code [1, 4+nc, N]} (Ultralytics layout, no objectness)</li>
 * <li>class-map: {@code [1, nc+1, H, W]}, channel 0 background</li>
 * <li>tile: {@code [1, nc]} for a 1 x 1 grid, or {@code [1, cols*rows, nc]}</li>
 * </ul>
 */
public final class GraphValidator {

    private static final String TAIL = ": the card does not match this model";

    private GraphValidator() {
    }

    /**
     * @param card    the card, never null
     * @param inputs  the graph's inputs in order, never null
     * @param outputs the graph's outputs in order, never null
     * @throws ModelMismatchException naming what differs
     */
    public static void validate(final ModelCard card, final List<TensorSpec> inputs, final List<TensorSpec> outputs) {
        validateInput(card.input(), inputs);
        if (outputs.isEmpty()) {
            throw new ModelMismatchException("the graph has no outputs" + TAIL);
        }
        validateOutput(card, outputs.get(0));
    }

    static void validateInput(final InputSpec in, final List<TensorSpec> inputs) {
        if (inputs.size() != 1) {
            throw new ModelMismatchException("the card describes one image input but the graph has "
                    + inputs.size() + " inputs " + inputs + TAIL);
        }
        final TensorSpec t = inputs.get(0);
        if (!"FLOAT".equals(t.type())) {
            throw new ModelMismatchException("the graph's input '" + t.name() + "' has element type " + t.type()
                    + " but only float32 input is supported (export without half precision)");
        }
        final long[] want = {1, InputSpec.CHANNELS, in.height(), in.width()};
        final String expected = "[1, 3, " + in.height() + ", " + in.width() + "] (NCHW, height "
                + in.height() + ", width " + in.width() + ")";
        if (t.rank() != 4) {
            throw new ModelMismatchException("card says the input is " + expected + " but the graph's input '"
                    + t.name() + "' is " + TensorSpec.format(t.shape()) + " (rank " + t.rank() + ")" + TAIL);
        }
        for (int i = 0; i < 4; i++) {
            if (t.dim(i) >= 0 && t.dim(i) != want[i]) {
                String hint = "";
                if (t.dim(3) == InputSpec.CHANNELS && t.dim(1) != InputSpec.CHANNELS) {
                    hint = " (the graph looks NHWC; only NCHW is supported)";
                } else if (i >= 2 && t.dim(2) == in.width() && t.dim(3) == in.height()) {
                    hint = " (width and height look swapped in the card)";
                }
                throw new ModelMismatchException("card says the input is " + expected + " but the graph's input '"
                        + t.name() + "' is " + TensorSpec.format(t.shape()) + hint + TAIL);
            }
        }
    }

    static void validateOutput(final ModelCard card, final TensorSpec out) {
        final int nc = card.classCount();
        final String name = "the graph's output '" + out.name() + "' is " + TensorSpec.format(out.shape());
        final String lists = "card lists " + nc + " class" + (nc == 1 ? "" : "es");
        if (!"FLOAT".equals(out.type())) {
            throw new ModelMismatchException("the graph's output '" + out.name() + "' has element type "
                    + out.type() + " but decoders read float32");
        }
        switch (card.decoder()) {
            case YOLO -> {
                final long want = 4L + nc;
                final String must = lists + " so the YOLO output must be [1, " + want + ", N], but " + name;
                if (out.rank() != 3 || !batchOk(out)) {
                    throw new ModelMismatchException(must + " (rank " + out.rank() + ")" + TAIL);
                }
                final long c = out.dim(1);
                if (c >= 0 && c != want) {
                    String hint;
                    if (out.dim(2) == want) {
                        hint = " (transposed: export the Ultralytics layout [1, 4+nc, N])";
                    } else if (c == want + 1) {
                        hint = " (" + (c - 5) + " classes plus objectness, a YOLOv5-style head which is not supported)";
                    } else if (c > 4) {
                        hint = " (" + (c - 4) + " classes)";
                    } else {
                        hint = "";
                    }
                    throw new ModelMismatchException(must + hint + TAIL);
                }
            }
            case CLASS_MAP -> {
                final long want = nc + 1L;
                final String must = lists + " so the class-map output must be [1, " + want
                        + ", H, W] (channel 0 = background), but " + name;
                if (out.rank() != 4 || !batchOk(out)) {
                    throw new ModelMismatchException(must + " (rank " + out.rank() + ")" + TAIL);
                }
                if (out.dim(1) >= 0 && out.dim(1) != want) {
                    final String hint = out.dim(1) == nc ? " (no background channel?)"
                            : " (" + (out.dim(1) - 1) + " classes + background)";
                    throw new ModelMismatchException(must + hint + TAIL);
                }
            }
            case TILE -> {
                final int tiles = card.tiles().tiles();
                final String must = lists + " and a " + card.tiles().cols() + "x" + card.tiles().rows()
                        + " tile grid so the tile output must be "
                        + (tiles == 1 ? "[1, " + nc + "] or [1, 1, " + nc + "]" : "[1, " + tiles + ", " + nc + "]")
                        + ", but " + name;
                if (!batchOk(out)) {
                    throw new ModelMismatchException(must + TAIL);
                }
                if (out.rank() == 2) {
                    if (tiles != 1 || (out.dim(1) >= 0 && out.dim(1) != nc)) {
                        throw new ModelMismatchException(must + TAIL);
                    }
                } else if (out.rank() == 3) {
                    if ((out.dim(1) >= 0 && out.dim(1) != tiles) || (out.dim(2) >= 0 && out.dim(2) != nc)) {
                        throw new ModelMismatchException(must + TAIL);
                    }
                } else {
                    throw new ModelMismatchException(must + " (rank " + out.rank() + ")" + TAIL);
                }
            }
            default -> throw new IllegalStateException("unknown decoder " + card.decoder());
        }
    }

    private static boolean batchOk(final TensorSpec t) {
        return t.rank() > 0 && (t.dim(0) < 0 || t.dim(0) == 1);
    }
}
