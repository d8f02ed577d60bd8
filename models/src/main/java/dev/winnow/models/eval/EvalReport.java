package dev.winnow.models.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;

/**
 * Result of an evaluation.
 *
 * @param perClass  one entry per class of the model, in card order, never null
 * @param map50     mean of AP@0.5 over classes that have labels (NaN when none do)
 * @param map50to95 mean of AP@0.5:0.95 over classes that have labels (NaN when none do)
 * @param images    images evaluated
 */
public record EvalReport(List<ClassMetrics> perClass, double map50, double map50to95, int images) {

    public EvalReport {
        perClass = List.copyOf(perClass);
    }

    /** One JSON object: {@code map50}, {@code map50_95}, {@code images}, {@code per_class}. NaN becomes null. */
    public String toJson() {
        final ObjectMapper m = new ObjectMapper();
        final ObjectNode root = m.createObjectNode();
        num(root, "map50", map50);
        num(root, "map50_95", map50to95);
        root.put("images", images);
        final ObjectNode pc = root.putObject("per_class");
        for (final ClassMetrics c : perClass) {
            final ObjectNode o = pc.putObject(c.name());
            o.put("labels", c.labels());
            o.put("predictions", c.predictions());
            num(o, "precision", c.precision());
            num(o, "recall", c.recall());
            num(o, "ap50", c.ap50());
            num(o, "ap50_95", c.ap50to95());
            num(o, "best_f1", c.bestF1());
            num(o, "best_f1_threshold", c.bestF1Threshold());
        }
        return root.toString();
    }

    private static void num(final ObjectNode o, final String k, final double v) {
        if (Double.isNaN(v)) {
            o.putNull(k);
        } else {
            o.put(k, Math.round(v * 1e6) / 1e6);
        }
    }

    /**
     * The per-class thresholds with the best F1, as the card's {@code thresholds} object (classes without labels or
     * without a right prediction are left out, so they keep the card's default). Thresholds are rounded down to two
     * decimals, so the suggested threshold still admits the prediction that set it.
     */
    public String suggestedThresholdsJson() {
        final ObjectMapper m = new ObjectMapper();
        final ObjectNode root = m.createObjectNode();
        final ObjectNode t = root.putObject("thresholds");
        for (final ClassMetrics c : perClass) {
            if (!Double.isNaN(c.bestF1Threshold())) {
                t.put(c.name(), Math.floor(c.bestF1Threshold() * 100) / 100);
            }
        }
        return root.toString();
    }

    /** A human-readable table, one row per class plus the means. */
    public String toTable() {
        final StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "%-20s %7s %7s %9s %7s %7s %9s %8s %8s%n", "class", "labels", "preds", "precision", "recall", "AP50",
                "AP50-95", "best F1", "at conf"));
        for (final ClassMetrics c : perClass) {
            sb.append(String.format(Locale.ROOT, "%-20s %7d %7d %9.3f %7.3f %7.3f %9.3f %8.3f %8.3f%n", c.name(),
                    c.labels(), c.predictions(), c.precision(), c.recall(), c.ap50(), c.ap50to95(), c.bestF1(),
                    c.bestF1Threshold()));
        }
        sb.append(String.format(Locale.ROOT, "%-20s %7s %7s %9s %7s %7.3f %9.3f   (%d images)%n", "all", "", "", "",
                "", map50, map50to95, images));
        return sb.toString();
    }
}
