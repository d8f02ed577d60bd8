package dev.winnow.models.card;

/**
 * Settings of the class-map (segmentation) decoder. Convention: the logits tensor is {@code [1, nc+1, H, W]}
 * and channel 0 is background; channel {@code k+1} is class {@code k} of the card.
 *
 * @param connectivity 4 or 8: which neighbours join a blob
 * @param minArea      smallest blob kept, in output-map cells, &ge; 1
 */
public record ClassMapSpec(int connectivity, int minArea) {
    public static final ClassMapSpec DEFAULT = new ClassMapSpec(8, 1);
}
