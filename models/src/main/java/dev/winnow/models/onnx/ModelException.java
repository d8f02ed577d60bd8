package dev.winnow.models.onnx;

/** A model that cannot be used; unchecked because callers can only report it and refuse the model. */
public class ModelException extends RuntimeException {
    public ModelException(final String message) {
        super(message);
    }

    public ModelException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
