package dev.winnow.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

final class ModelSignatureTest {

    private static final String A = "a".repeat(64);
    private static final String B = "b".repeat(64);
    private static final String C = "c".repeat(64);
    private static final String D = "d".repeat(64);

    @Test
    void aModelAloneKeepsTheFirstMessageSoEarlierSignaturesStillVerify() {
        assertThat(ModelSignature.message("cotton-colour", "1.0", A, B))
                .isEqualTo("winnow-model-v1\ncotton-colour\n1.0\n" + A + "\n" + B)
                .isEqualTo(ModelSignature.message("cotton-colour", "1.0", A, B, List.of()));
    }

    @Test
    void verifiersAreSignedInClassOrderWhateverOrderTheyCameIn() {
        final ModelSignature.Verifier feather = new ModelSignature.Verifier("feather", "feather-verifier", C, D);
        final ModelSignature.Verifier straw = new ModelSignature.Verifier("straw", "straw-check", D, C);
        final String m = ModelSignature.message("cotton-colour", "2", A, B, List.of(straw, feather));
        assertThat(m).isEqualTo("winnow-model-v2\ncotton-colour\n2\n" + A + "\n" + B
                + "\nverify feather feather-verifier " + C + " " + D
                + "\nverify straw straw-check " + D + " " + C);
        assertThat(ModelSignature.message("cotton-colour", "2", A, B, List.of(feather, straw))).isEqualTo(m);
        assertThat(ModelSignature.message("cotton-colour", "2", A, B,
                List.of(new ModelSignature.Verifier("feather", "feather-verifier", D, D), straw)))
                .as("a different verifier file is a different message").isNotEqualTo(m);
    }

    @Test
    void aVerifierNeedsEveryField() {
        assertThatThrownBy(() -> new ModelSignature.Verifier("feather", null, C, D)).hasMessageContaining("folder");
    }
}
