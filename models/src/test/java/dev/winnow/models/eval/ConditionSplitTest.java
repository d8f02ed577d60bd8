package dev.winnow.models.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.winnow.models.dataset.Box;
import dev.winnow.models.decode.Detection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConditionSplitTest {

    private static final String HEADER = "split,image,scenario,motion_px,noise,belt_colour,labels,ignore_regions";
    private static final List<String> CLASSES = List.of("feather");
    private static final float[] OPERATING = {0.4f};

    @TempDir
    Path dir;

    private ConditionSplit read(final String... rows) throws Exception {
        Files.writeString(dir.resolve("conditions.csv"), HEADER + "\n" + String.join("\n", rows) + "\n");
        return ConditionSplit.read(dir, CLASSES, OPERATING);
    }

    private static final Box FEATHER = new Box(0, 10, 10, 30, 20);
    private static final Detection FOUND = new Detection(0, "feather", 0.9f, 10, 10, 20, 10);

    private void image(final ConditionSplit split, final String name, final boolean found) {
        split.add(dir.resolve("images").resolve("val").resolve(name), List.of(FEATHER), List.of(),
                found ? List.of(FOUND) : List.of());
    }

    @Test
    void eachConditionIsScoredBelowAndAboveItsMedianTheLargestDifferenceFirst() throws Exception {
        // Sharp images (motion 1-2 px) are found, blurred ones (6-8 px) missed; noise is unrelated to it.
        final ConditionSplit split = read(
                "val,a.png,fast-belt,1.0,2.0,#A83CA8,1,0",
                "val,b.png,fast-belt,2.0,6.0,#A83CA8,1,0",
                "val,c.png,fast-belt,6.0,2.5,#E0E0E0,1,0",
                "val,d.png,fast-belt,8.0,6.5,#E0E0E0,1,0");
        image(split, "a.png", true);
        image(split, "b.png", true);
        image(split, "c.png", false);
        image(split, "d.png", false);
        final List<ConditionSplit.Half> halves = split.report();
        // labels and scenario never change: left out; the belt's colour becomes its brightness and saturation.
        assertThat(halves).extracting(ConditionSplit.Half::column)
                .containsExactlyInAnyOrder("motion_px", "noise", "belt_brightness", "belt_saturation");
        final ConditionSplit.Half first = halves.get(0);
        assertThat(first.column()).isIn("motion_px", "belt_brightness", "belt_saturation");
        final ConditionSplit.Half motion = halves.stream().filter(h -> h.column().equals("motion_px")).findFirst()
                .orElseThrow();
        assertThat(motion.median()).isEqualTo(6.0);
        assertThat(motion.below().images()).isEqualTo(2);
        assertThat(motion.below().map50()).isCloseTo(1.0, within(1e-9));
        assertThat(motion.above().images()).isEqualTo(2);
        assertThat(motion.above().map50()).isCloseTo(0.0, within(1e-9));
        assertThat(motion.difference()).isCloseTo(-1.0, within(1e-9));
        final ConditionSplit.Half noise = halves.stream().filter(h -> h.column().equals("noise")).findFirst()
                .orElseThrow();
        assertThat(noise.difference()).isCloseTo(0.0, within(1e-9));
        assertThat(halves.get(halves.size() - 1).column()).isEqualTo("noise");
        // #A83CA8: brightest channel 168, saturation (168-60)/168; #E0E0E0: 224, grey.
        final ConditionSplit.Half bright = halves.stream().filter(h -> h.column().equals("belt_brightness"))
                .findFirst().orElseThrow();
        assertThat(bright.median()).isEqualTo(224.0);
        assertThat(bright.difference()).isCloseTo(-1.0, within(1e-9));
        assertThat(ConditionSplit.toTable(halves)).contains("motion_px").contains("-1.000").contains("below median");
    }

    @Test
    void aDatasetWithoutConditionsIsNamed() {
        assertThatThrownBy(() -> ConditionSplit.read(dir, CLASSES, OPERATING))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has no conditions.csv");
    }

    @Test
    void aRowWithTheWrongNumberOfFieldsIsNamed() {
        assertThatThrownBy(() -> read("val,a.png,fast-belt,1.0,2.0,#A83CA8,1"))
                .hasMessageContaining("line 2: 7 fields, the header has 8");
    }

    @Test
    void aConditionThatIsNotANumberIsNamed() {
        assertThatThrownBy(() -> read("val,a.png,fast-belt,fast,2.0,#A83CA8,1,0"))
                .hasMessageContaining("line 2: motion_px 'fast' is not a number");
    }

    @Test
    void aBeltColourThatIsNotHexIsNamed() {
        assertThatThrownBy(() -> read("val,a.png,fast-belt,1.0,2.0,magenta,1,0"))
                .hasMessageContaining("line 2: belt_colour 'magenta' is not #RRGGBB");
    }

    @Test
    void aHeaderWithoutTheImageColumnIsNamed() throws Exception {
        Files.writeString(dir.resolve("conditions.csv"), "split,picture,noise\nval,a.png,1\n");
        assertThatThrownBy(() -> ConditionSplit.read(dir, CLASSES, OPERATING))
                .hasMessageContaining("the header has no split or image column");
    }

    @Test
    void anImageWithoutARowIsNamed() throws Exception {
        final ConditionSplit split = read("val,a.png,fast-belt,1.0,2.0,#A83CA8,1,0",
                "val,b.png,fast-belt,2.0,6.0,#A83CA8,1,0");
        assertThatThrownBy(() -> image(split, "z.png", true)).hasMessageContaining("has no row for val/z.png");
    }
}
