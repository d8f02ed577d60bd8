package dev.winnow.models.card;

/** How the raw output tensor becomes detections; the card's {@code decoder} field. */
public enum DecoderKind {
    /** Ultralytics YOLOv8/YOLO11 detection head, output {@code [1, 4+nc, N]}. */
    YOLO("yolo"),
    /** Per-pixel class logits {@code [1, nc+1, H, W]}, channel 0 = background. */
    CLASS_MAP("class-map"),
    /** Tile classification, output {@code [1, nc]} or {@code [1, tiles, nc]}. */
    TILE("tile");

    private final String wire;

    DecoderKind(final String wire) {
        this.wire = wire;
    }

    /** The spelling used in {@code model.json}. */
    public String wire() {
        return wire;
    }

    static DecoderKind parse(final String key, final String value) {
        for (final DecoderKind d : values()) {
            if (d.wire.equals(value)) {
                return d;
            }
        }
        throw new InvalidModelCardException(key, "must be one of yolo, class-map, tile but is '" + value + "'");
    }
}
