package dev.winnow.models.card;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A model folder: {@code model.onnx} beside its card {@code model.json}. Loading checks that both exist, that
 * the card is valid, and — when the card carries {@code sha256} — that the ONNX file is the one the card
 * describes. It does not open an ONNX Runtime session (see {@code dev.winnow.models.onnx.OnnxModel}).
 *
 * @param dir    the folder, never null
 * @param onnx   path of {@code model.onnx}, never null
 * @param card   the validated card, never null
 * @param sha256 SHA-256 of {@code model.onnx}, lower-case hex, never null
 */
public record ModelPackage(Path dir, Path onnx, ModelCard card, String sha256) {

    public static final String ONNX_FILE = "model.onnx";
    public static final String CARD_FILE = "model.json";

    /**
     * Loads a model folder.
     *
     * @throws NoSuchFileException        when the folder, {@code model.onnx} or {@code model.json} is missing
     * @throws InvalidModelCardException  when the card is invalid or its sha256 does not match the ONNX file
     */
    public static ModelPackage load(final Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "model folder not found");
        }
        final Path onnx = dir.resolve(ONNX_FILE);
        final Path json = dir.resolve(CARD_FILE);
        if (!Files.isRegularFile(onnx)) {
            throw new NoSuchFileException(onnx.toString(), null, "model folder has no " + ONNX_FILE);
        }
        if (!Files.isRegularFile(json)) {
            throw new NoSuchFileException(json.toString(), null, "model folder has no " + CARD_FILE + " (card)");
        }
        final ModelCard card;
        try {
            card = ModelCard.load(json);
        } catch (final InvalidModelCardException e) {
            throw new InvalidModelCardException(json + ": " + e.getMessage(), e);
        }
        final String sha = sha256(onnx);
        if (card.sha256().isPresent() && !card.sha256().get().equals(sha)) {
            throw new InvalidModelCardException("sha256", "is " + card.sha256().get() + " but " + onnx
                    + " hashes to " + sha + ": the card belongs to another model file");
        }
        return new ModelPackage(dir, onnx, card, sha);
    }

    /** SHA-256 of a file as lower-case hex. */
    public static String sha256(final Path file) throws IOException {
        final MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            final byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
