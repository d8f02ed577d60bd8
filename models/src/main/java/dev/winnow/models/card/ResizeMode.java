package dev.winnow.models.card;

/** Interpolation used when scaling a frame to the model input. */
public enum ResizeMode {
    BILINEAR, NEAREST
}
