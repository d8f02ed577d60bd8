package dev.winnow.hardware.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScenarioTest {

    private static final String MINIMAL = """
            cameras:
              - id: cam
                positionMm: 500
            """;

    @Test
    void shippedScenariosLoad() {
        for (final String name : Scenario.NAMED) {
            final Scenario s = Scenario.named(name);
            assertThat(s.name()).isEqualTo(name);
            assertThat(s.cameras()).extracting(c -> c.kind()).contains(Scenario.CameraKind.COLOUR, Scenario.CameraKind.UV);
        }
        assertThat(Scenario.named("demo").belt().speedMps()).isEqualTo(1.0);
        assertThat(Scenario.named("fast-belt").belt().speedMps()).isEqualTo(3.0);
        assertThat(Scenario.named("white-pp").contaminants().paletteOf(ContaminantClass.POLYPROPYLENE_TWINE))
                .containsExactly(0xF2F2F0, 0xECEDEA, 0xF6F4EE);
        assertThatThrownBy(() -> Scenario.named("nope")).hasMessageContaining("nope").hasMessageContaining("demo");
    }

    @Test
    void defaultsFillEverythingButTheCameras() {
        final Scenario s = Scenario.parse(MINIMAL);
        assertThat(s.belt().widthMm()).isEqualTo(1000);
        assertThat(s.belt().speedMps()).isEqualTo(3.0);
        assertThat(s.nozzleBar().count()).isEqualTo(32);
        assertThat(s.nozzleBar().pitchMm()).isEqualTo(1000.0 / 32);
        assertThat(s.nozzleBar().footprintMm()).isEqualTo(1000.0 / 32);
        assertThat(s.camera("cam").viewLengthMm()).isEqualTo(750); // square pixels at 320 x 240
        assertThat(s.nozzleBar().positionMm()).isGreaterThan(s.camera("cam").viewEndMm());
        assertThat(s.contaminants().mix()).hasSize(ContaminantClass.values().length);
        assertThat(s.belt().colourRgb()).isEqualTo(Scenario.Belt.DEFAULT_COLOUR);
    }

    @Test
    void beltColourIsReadAndChecked() {
        assertThat(Scenario.parse("belt: {colour: \"#A83CA8\"}\n" + MINIMAL).belt().colourRgb()).isEqualTo(0xA83CA8);
        assertThat(Scenario.named("fast-belt-dark").belt().colourRgb()).isEqualTo(Scenario.Belt.DEFAULT_COLOUR);
        rejects("belt: {colour: magenta}\n" + MINIMAL, "belt.colour", "#RRGGBB", "magenta");
        rejects("belt: {colour: \"#A83CA\"}\n" + MINIMAL, "belt.colour", "#RRGGBB");
        rejects("belt: {colour: 11026600}\n" + MINIMAL, "belt.colour", "#RRGGBB");
    }

    @Test
    void jsonAndFilesAreAccepted(@TempDir final Path dir) throws Exception {
        final Path file = dir.resolve("s.json");
        Files.writeString(file, "{\"name\":\"j\",\"seed\":5,\"belt\":{\"speedMps\":2},"
                + "\"cameras\":[{\"id\":\"a\",\"kind\":\"uv\",\"positionMm\":400}]}");
        final Scenario s = Scenario.load(file);
        assertThat(s.seed()).isEqualTo(5);
        assertThat(s.belt().speedMps()).isEqualTo(2);
        assertThat(s.camera("a").kind()).isEqualTo(Scenario.CameraKind.UV);
    }

    private static void rejects(final String yaml, final String key, final String... fragments) {
        assertThatThrownBy(() -> Scenario.parse(yaml))
                .isInstanceOf(ScenarioException.class)
                .satisfies(e -> assertThat(((ScenarioException) e).key()).isEqualTo(key))
                .hasMessageContainingAll(fragments);
    }

    @Test
    void unknownKeysAreNamed() {
        rejects(MINIMAL + "colour: red\n", "colour", "unknown key");
        rejects("belt: {speeed: 2}\n" + MINIMAL, "belt.speeed", "unknown key 'speeed'");
        rejects("cameras: [{id: c, positionMm: 500, zoom: 2}]", "cameras[0].zoom", "unknown key");
    }

    @Test
    void outOfRangeValuesNameKeyAndRange() {
        rejects("belt: {speedMps: 12}\n" + MINIMAL, "belt.speedMps", "12", "[0.05, 10]");
        rejects("nozzleBar: {count: -3}\n" + MINIMAL, "nozzleBar.count", "-3", "[1, 256]");
        rejects("contaminants: {perSecond: -1}\n" + MINIMAL, "contaminants.perSecond", "[0, 1000]");
        rejects("product: {tuftSizeMm: [50, 20]}\n" + MINIMAL, "product.tuftSizeMm", "greater than");
        rejects("nozzleBar: {count: 32, pitchMm: 40}\n" + MINIMAL, "nozzleBar.pitchMm", "wider than the belt");
    }

    @Test
    void wrongTypesAreNamed() {
        rejects("belt: {speedMps: fast}\n" + MINIMAL, "belt.speedMps", "expected a number", "fast");
        rejects("nozzleBar: {count: 2.5}\n" + MINIMAL, "nozzleBar.count", "whole number");
        rejects("belt: 3\n" + MINIMAL, "belt", "expected a mapping");
    }

    @Test
    void unknownContaminantClassIsNamed() {
        rejects("contaminants: {mix: {glass: 1}}\n" + MINIMAL, "contaminants.mix.glass", "unknown contaminant class 'glass'",
                "plastic_film");
        rejects("contaminants: {palettes: {straw: [yellow]}}\n" + MINIMAL, "contaminants.palettes.straw", "#RRGGBB");
        rejects("contaminants: {perSecond: 2, mix: {straw: 0}}\n" + MINIMAL, "contaminants.mix", "positive weight");
    }

    @Test
    void camerasAreRequiredAndChecked() {
        rejects("name: x\n", "cameras", "at least one camera");
        rejects("cameras: []\n", "cameras", "at least one camera");
        rejects("cameras: [{positionMm: 500}]", "cameras[0].id", "required");
        rejects("cameras: [{id: c}]", "cameras[0].positionMm", "required");
        rejects("cameras: [{id: c, positionMm: 500, kind: infrared}]", "cameras[0].kind", "infrared", "[colour, uv]");
        rejects("cameras: [{id: c, positionMm: 500}, {id: c, positionMm: 900}]", "cameras[1].id", "duplicate");
        rejects("cameras: [{id: c, positionMm: 100}]", "cameras[0].positionMm", "before the belt origin");
        rejects("nozzleBar: {positionMm: 700}\n" + MINIMAL, "nozzleBar.positionMm", "downstream");
    }

    @Test
    void malformedTextIsRejected() {
        assertThatThrownBy(() -> Scenario.parse("belt: [unclosed")).isInstanceOf(ScenarioException.class)
                .hasMessageContaining("not valid YAML");
        assertThatThrownBy(() -> Scenario.parse("")).isInstanceOf(ScenarioException.class);
    }
}
