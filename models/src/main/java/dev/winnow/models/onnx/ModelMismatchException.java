package dev.winnow.models.onnx;

/**
 * The ONNX graph's inputs or outputs do not match what its card says; the message says exactly what differs.
 */
public final class ModelMismatchException extends ModelException {
    public ModelMismatchException(final String message) {
        super(message);
    }
}
