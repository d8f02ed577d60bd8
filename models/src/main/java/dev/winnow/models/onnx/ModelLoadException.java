package dev.winnow.models.onnx;

/** {@code model.onnx} is missing, corrupt, not ONNX, or fails to run on a blank input. */
public final class ModelLoadException extends ModelException {
    public ModelLoadException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
