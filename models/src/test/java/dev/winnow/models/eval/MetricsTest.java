package dev.winnow.models.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.winnow.models.dataset.Box;
import dev.winnow.models.decode.Detection;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetricsTest {

    @Test
    void allPointApByHand() {
        // TP, FP, TP with 3 labels: recall 1/3, 1/3, 2/3; precision 1, 1/2, 2/3.
        // Envelope from the right: 1, 2/3, 2/3 → AP = 1/3 * 1 + 1/3 * 2/3 = 5/9.
        assertThat(Metrics.averagePrecision(new boolean[] {true, false, true}, 3)).isCloseTo(5.0 / 9.0, within(1e-12));
        // A perfect ranking reaches AP 1 even with trailing false positives.
        assertThat(Metrics.averagePrecision(new boolean[] {true, true, false, false}, 2)).isCloseTo(1.0, within(1e-12));
        // FP first: precision 0, 1/2 → envelope 1/2 at recall 1 → AP 0.5.
        assertThat(Metrics.averagePrecision(new boolean[] {false, true}, 1)).isCloseTo(0.5, within(1e-12));
        assertThat(Metrics.averagePrecision(new boolean[0], 4)).isZero();
    }

    @Test
    void reportByHand() {
        final Metrics m = new Metrics(List.of("plastic_film", "straw"), new float[] {0.75f, 0.5f});
        // Image: two film labels. Predictions:
        //  0.9 exact on label A (IoU 1)              → TP at every IoU threshold
        //  0.8 on label B with IoU 62.5/100 = 0.625 → TP at 0.50, 0.55, 0.60; FP from 0.65 up
        //  0.7 far away                              → FP
        //  straw 0.6 somewhere, no straw labels      → counts as a straw prediction, straw has no AP
        m.add(List.of(new Box(0, 0, 0, 10, 10), new Box(0, 100, 100, 110, 110)), List.of(
                new Detection(0, "plastic_film", 0.7f, 50, 50, 5, 5),
                new Detection(0, "plastic_film", 0.9f, 0, 0, 10, 10),
                new Detection(0, "plastic_film", 0.8f, 100, 100, 10, 6.25f),
                new Detection(1, "straw", 0.6f, 0, 0, 3, 3)));
        final EvalReport r = m.report(1);
        final ClassMetrics film = r.perClass().get(0);
        assertThat(film.labels()).isEqualTo(2);
        // Operating point 0.75: the 0.9 and 0.8 predictions, both TP at IoU 0.5.
        assertThat(film.predictions()).isEqualTo(2);
        assertThat(film.precision()).isEqualTo(1.0);
        assertThat(film.recall()).isEqualTo(1.0);
        // IoU 0.5: TP, TP, FP → AP 1. IoU ≥ 0.65: TP, FP, FP → recall 0.5 at precision 1 → AP 0.5.
        assertThat(film.ap50()).isCloseTo(1.0, within(1e-9));
        assertThat(film.ap50to95()).isCloseTo((3 * 1.0 + 7 * 0.5) / 10, within(1e-9));
        final ClassMetrics straw = r.perClass().get(1);
        assertThat(straw.predictions()).isEqualTo(1);
        assertThat(straw.precision()).isZero();
        assertThat(straw.ap50()).isNaN();
        // Classes without labels do not count towards the mean.
        assertThat(r.map50()).isCloseTo(1.0, within(1e-9));
        assertThat(r.map50to95()).isCloseTo(0.65, within(1e-9));
        assertThat(r.toJson()).contains("\"map50\":1.0", "\"map50_95\":0.65", "\"straw\":{", "\"ap50\":null");
        // Cut after 0.9: F1 = 2*1/(1+2) = 0.667; after 0.8: 2*2/(2+2) = 1.0; after 0.7: 2*2/(3+2) = 0.8.
        assertThat(film.bestF1()).isCloseTo(1.0, within(1e-9));
        assertThat(film.bestF1Threshold()).isCloseTo(0.8, within(1e-6));
        assertThat(straw.bestF1()).isNaN();
        assertThat(r.suggestedThresholdsJson()).isEqualTo("{\"thresholds\":{\"plastic_film\":0.8}}");
    }

    @Test
    void bestF1TreatsEqualScoresAsOneThreshold() {
        // Two labels; predictions 0.9 FP, then two at 0.5: one TP, one FP. A cut between the two 0.5 predictions
        // is impossible, so the choice is {0.9} (F1 0) or all three (F1 2*1/(3+2) = 0.4).
        final Metrics m = new Metrics(List.of("a"), new float[] {0.1f});
        m.add(List.of(new Box(0, 0, 0, 10, 10), new Box(0, 50, 50, 60, 60)), List.of(
                new Detection(0, "a", 0.9f, 100, 100, 10, 10),
                new Detection(0, "a", 0.5f, 0, 0, 10, 10),
                new Detection(0, "a", 0.5f, 200, 200, 10, 10)));
        final ClassMetrics a = m.report(1).perClass().get(0);
        assertThat(a.bestF1()).isCloseTo(0.4, within(1e-9));
        assertThat(a.bestF1Threshold()).isCloseTo(0.5, within(1e-6));
    }

    @Test
    void oneLabelIsMatchedOnlyOnce() {
        final Metrics m = new Metrics(List.of("a"), new float[] {0.1f});
        m.add(List.of(new Box(0, 0, 0, 10, 10)), List.of(
                new Detection(0, "a", 0.9f, 0, 0, 10, 10), new Detection(0, "a", 0.8f, 0, 0, 10, 10)));
        final ClassMetrics a = m.report(1).perClass().get(0);
        assertThat(a.precision()).isEqualTo(0.5);
        assertThat(a.recall()).isEqualTo(1.0);
        assertThat(a.ap50()).isCloseTo(1.0, within(1e-9));
    }

    @Test
    void wrongClassIsNotAMatch() {
        final Metrics m = new Metrics(List.of("a", "b"), new float[] {0.1f, 0.1f});
        m.add(List.of(new Box(0, 0, 0, 10, 10)), List.of(new Detection(1, "b", 0.9f, 0, 0, 10, 10)));
        final EvalReport r = m.report(1);
        assertThat(r.perClass().get(0).recall()).isZero();
        assertThat(r.perClass().get(0).ap50()).isZero();
        assertThat(r.map50()).isZero();
    }
    @Test
    void predictionsOnAnIgnoreRegionOfTheirClassAreNeitherRightNorWrong() {
        final Metrics m = new Metrics(List.of("a", "b"), new float[] {0.1f, 0.1f});
        final List<Box> labels = List.of(new Box(0, 0, 0, 10, 10));
        final List<Box> ignore = List.of(new Box(0, 100, 100, 110, 110), new Box(1, 200, 200, 210, 210));
        m.add(labels, ignore, List.of(
                new Detection(0, "a", 0.95f, 100, 100, 10, 10), // on the class-a ignore region: left out
                new Detection(0, "a", 0.9f, 0, 0, 10, 10),      // the label: TP
                new Detection(0, "a", 0.8f, 100, 100, 10, 10),  // the same region again: still left out
                new Detection(0, "a", 0.7f, 200, 200, 10, 10))); // a class-b region does not excuse class a: FP
        final EvalReport r = m.report(1);
        final ClassMetrics a = r.perClass().get(0);
        assertThat(a.labels()).as("an ignore region is not a label").isEqualTo(1);
        assertThat(a.predictions()).isEqualTo(2);
        assertThat(a.precision()).isEqualTo(0.5);
        assertThat(a.recall()).isEqualTo(1.0);
        // Scored: TP, FP → AP 1 (without the ignore regions: FP, TP, FP, FP → 0.5).
        assertThat(a.ap50()).isCloseTo(1.0, within(1e-9));
        assertThat(r.perClass().get(1).labels()).isZero();
        assertThat(r.perClass().get(1).ap50()).as("a class with only ignore regions has no AP").isNaN();

        final Metrics plain = new Metrics(List.of("a", "b"), new float[] {0.1f, 0.1f});
        plain.add(labels, List.of(
                new Detection(0, "a", 0.95f, 100, 100, 10, 10), new Detection(0, "a", 0.9f, 0, 0, 10, 10),
                new Detection(0, "a", 0.8f, 100, 100, 10, 10), new Detection(0, "a", 0.7f, 200, 200, 10, 10)));
        assertThat(plain.report(1).perClass().get(0).ap50()).isCloseTo(0.5, within(1e-9));
    }

    @Test
    void anIgnoreRegionExcusesAPredictionOnlyAtTheIousItReaches() {
        final Metrics m = new Metrics(List.of("a"), new float[] {0.1f});
        // IoU with the region: 60/100 = 0.6 → left out at 0.50, 0.55, 0.60; a false positive from 0.65 up.
        m.add(List.of(new Box(0, 0, 0, 10, 10)), List.of(new Box(0, 100, 100, 110, 110)), List.of(
                new Detection(0, "a", 0.95f, 100, 100, 10, 6),
                new Detection(0, "a", 0.9f, 0, 0, 10, 10)));
        final ClassMetrics a = m.report(1).perClass().get(0);
        assertThat(a.ap50()).isCloseTo(1.0, within(1e-9));
        assertThat(a.ap50to95()).isCloseTo((3 * 1.0 + 7 * 0.5) / 10, within(1e-9));
    }

    @Test
    void aLabelIsFoundEvenWhereItOverlapsAnIgnoreRegion() {
        final Metrics m = new Metrics(List.of("a"), new float[] {0.1f});
        m.add(List.of(new Box(0, 0, 0, 10, 10)), List.of(new Box(0, 0, 0, 10, 10)), List.of(
                new Detection(0, "a", 0.9f, 0, 0, 10, 10), new Detection(0, "a", 0.8f, 0, 0, 10, 10)));
        final ClassMetrics a = m.report(1).perClass().get(0);
        // The first takes the label; the second, a duplicate, falls on the region and is left out.
        assertThat(a.recall()).isEqualTo(1.0);
        assertThat(a.precision()).isEqualTo(1.0);
        assertThat(a.ap50()).isCloseTo(1.0, within(1e-9));
    }
}
