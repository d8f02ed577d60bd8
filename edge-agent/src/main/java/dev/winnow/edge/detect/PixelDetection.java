package dev.winnow.edge.detect;

/** A detection in image pixels: {@code (x, y)} is the top-left corner. */
public record PixelDetection(String cls, double confidence, double x, double y, double width, double height) {
}
