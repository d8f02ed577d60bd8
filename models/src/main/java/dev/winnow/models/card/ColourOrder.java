package dev.winnow.models.card;

/** Channel order the model expects in its input tensor. Frames always arrive as BGR. */
public enum ColourOrder {
    RGB, BGR
}
