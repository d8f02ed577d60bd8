package dev.winnow.server.desk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.server.llm.LlmProvider;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The shipped golden set, extractive: the target is ≥ 95 % and no unsupported figure. */
class DeskEvalTest {

    @Test
    void goldenSetMeetsTheTargetInExtractiveMode() throws Exception {
        final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        final PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
        final Map<String, Object> r = EvalDesk.run(Desk.resource("/desk/golden-set.json"), LlmProvider.none(), out);
        final String text = buf.toString(StandardCharsets.UTF_8);
        System.out.println(text);
        final String[] lines = text.strip().split("\n");
        assertThat(lines[lines.length - 1]).startsWith("{").contains("\"accuracy\"").contains("\"citation_coverage\"")
                .contains("\"unsupported_figures\"");
        assertThat((Double) r.get("accuracy")).isGreaterThanOrEqualTo(0.95);
        assertThat(((Number) r.get("unsupported_figures")).longValue()).isZero();
        assertThat((Double) r.get("citation_coverage")).isGreaterThanOrEqualTo(0.95);
    }
}
