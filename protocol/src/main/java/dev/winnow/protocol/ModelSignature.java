package dev.winnow.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * What the server's Ed25519 signature of a model version covers. The server builds it to sign; the agent
 * rebuilds it from the files it downloaded and never trusts a message sent with the command.
 *
 * <p>A model alone is signed as {@code winnow-model-v1\nname\nversion\nsha256\ncardSha256} (UTF-8, no
 * trailing newline). A model with second-look models ({@code decision.verify} in its card) is signed as
 * {@code winnow-model-v2} with the same four lines followed by one line per verifier, in class order:
 * {@code verify class folder sha256 cardSha256}. Every file that reaches the device is covered.
 */
public final class ModelSignature {

    private ModelSignature() {
    }

    /**
     * One verifier of a model: the class it checks, its sub-folder and the SHA-256 of its two files.
     *
     * @param cls        a class of the detector, never null
     * @param folder     the sub-folder name from {@code decision.verify}, never null
     * @param sha256     lower-case hex SHA-256 of {@code folder/model.onnx}, never null
     * @param cardSha256 lower-case hex SHA-256 of {@code folder/model.json}, never null
     */
    public record Verifier(@JsonProperty("class") String cls, String folder, String sha256, String cardSha256) {
        public Verifier {
            Objects.requireNonNull(cls, "cls");
            Objects.requireNonNull(folder, "folder");
            Objects.requireNonNull(sha256, "sha256");
            Objects.requireNonNull(cardSha256, "cardSha256");
        }
    }

    /** The message of a model without verifiers. */
    public static String message(final String name, final String version, final String sha256,
                                 final String cardSha256) {
        return "winnow-model-v1\n" + name + "\n" + version + "\n" + sha256 + "\n" + cardSha256;
    }

    /** The message of a model and its verifiers (the v1 message when there are none). */
    public static String message(final String name, final String version, final String sha256,
                                 final String cardSha256, final List<Verifier> verifiers) {
        if (verifiers.isEmpty()) {
            return message(name, version, sha256, cardSha256);
        }
        final StringBuilder s = new StringBuilder("winnow-model-v2\n").append(name).append('\n').append(version)
                .append('\n').append(sha256).append('\n').append(cardSha256);
        verifiers.stream().sorted(Comparator.comparing(Verifier::cls)).forEach(v -> s.append("\nverify ")
                .append(v.cls()).append(' ').append(v.folder()).append(' ').append(v.sha256()).append(' ')
                .append(v.cardSha256()));
        return s.toString();
    }
}
