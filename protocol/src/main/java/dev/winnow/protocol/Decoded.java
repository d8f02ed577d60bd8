package dev.winnow.protocol;

import java.util.Objects;
import java.util.function.Function;

/**
 * The outcome of decoding: a complete, valid value or the first rule it broke. Decoders never
 * throw for bad input and never return a half-filled value.
 */
public sealed interface Decoded<T> permits Decoded.Ok, Decoded.Failed {

    record Ok<T>(T value) implements Decoded<T> {
        public Ok {
            Objects.requireNonNull(value, "value");
        }
    }

    record Failed<T>(DecodeError error) implements Decoded<T> {
        public Failed {
            Objects.requireNonNull(error, "error");
        }
    }

    static <T> Decoded<T> ok(final T value) {
        return new Ok<>(value);
    }

    static <T> Decoded<T> failed(final DecodeError error) {
        return new Failed<>(error);
    }

    default boolean isOk() {
        return this instanceof Ok;
    }

    /** The value; throws {@link IllegalStateException} naming the error when decoding failed. */
    default T orThrow() {
        if (this instanceof Ok<T> ok) {
            return ok.value();
        }
        throw new IllegalStateException(((Failed<T>) this).error().toString());
    }

    /** The error, or nullable when decoding succeeded. */
    default DecodeError errorOrNull() {
        return this instanceof Failed<T> failed ? failed.error() : null;
    }

    default <R> Decoded<R> map(final Function<? super T, ? extends R> f) {
        if (this instanceof Ok<T> ok) {
            return new Ok<>(f.apply(ok.value()));
        }
        return new Failed<>(((Failed<T>) this).error());
    }
}
