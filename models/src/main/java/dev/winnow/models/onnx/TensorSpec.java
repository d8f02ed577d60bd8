package dev.winnow.models.onnx;

import java.util.Arrays;

/**
 * Name, element type and shape of one graph input or output, as ONNX Runtime reports it.
 *
 * @param name  the node name, never null
 * @param type  element type as ONNX Runtime spells it (e.g. {@code FLOAT}), never null
 * @param shape dimensions; -1 (or any negative value) marks a dynamic dimension; never null
 */
public record TensorSpec(String name, String type, long[] shape) {

    public TensorSpec {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** Dimension {@code i}, negative when dynamic. */
    public long dim(final int i) {
        return shape[i];
    }

    /** Shape like {@code [1, 84, 8400]}, dynamic dims as {@code ?}. */
    public static String format(final long[] shape) {
        final StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(shape[i] < 0 ? "?" : Long.toString(shape[i]));
        }
        return sb.append(']').toString();
    }

    @Override
    public boolean equals(final Object o) {
        return o instanceof TensorSpec t && t.name.equals(name) && t.type.equals(type)
                && Arrays.equals(t.shape, shape);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * name.hashCode() + type.hashCode()) + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return "'" + name + "' " + type + " " + format(shape);
    }
}
