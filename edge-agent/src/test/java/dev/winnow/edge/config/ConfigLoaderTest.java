package dev.winnow.edge.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class ConfigLoaderTest {

    static final String VALID = """
            site: mill-a
            line: line-1
            hardware: mock
            failSafe: stop-line
            belt: {speedMps: 3.0, encoder: false}
            nozzleBar: {positionMm: 3000, count: 12, pitchMm: 80}
            cameras:
              - id: colour-1
                kind: colour
                source: {type: v4l2, device: /dev/video0}
                calibration: {pixels: [0,0, 320,0, 320,240, 0,240], belt: [0,225, 1000,225, 1000,975, 0,975]}
                threads: 2
            """;

    @Test
    void validConfigLoads() {
        final AgentConfig c = ConfigLoader.parse(VALID, Path.of("."));
        assertThat(c.lineSettings().failSafe()).isEqualTo(AgentConfig.FailSafe.STOP_LINE);
        assertThat(c.cameras().get(0).threads()).isEqualTo(2);
        assertThat(c.device()).isEqualTo("pi-line-1");
        assertThat(c.mqtt()).isNull();
    }

    @Test
    void aCameraCanKeepARegionOfItsPictureBeforeScaling() {
        final AgentConfig c = ConfigLoader.parse(VALID.replace("device: /dev/video0}",
                "device: /dev/video0, crop: [0, 270, 1280, 480], width: 480, height: 180}"), Path.of("."));
        final AgentConfig.Source s = c.cameras().get(0).source();
        assertThat(s.crop()).isEqualTo(new dev.winnow.edge.camera.FrameShape.Crop(0, 270, 1280, 480));
        assertThat(s.width()).isEqualTo(480);
        assertThat(ConfigLoader.parse(VALID, Path.of(".")).cameras().get(0).source().crop())
                .as("no crop: the whole picture").isNull();
    }

    @Test
    void theServersWebAddressIsWherePicturesGo() {
        final AgentConfig c = ConfigLoader.parse(VALID + "mqtt: {url: tcp://winnow:1883, httpUrl: https://winnow.mill.lan/}\n",
                Path.of("."));
        assertThat(c.mqtt().httpUrl()).isEqualTo("https://winnow.mill.lan/");
        assertThat(ConfigLoader.parse(VALID + "mqtt: {url: tcp://winnow:1883}\n", Path.of(".")).mqtt().httpUrl())
                .as("without it, rejections travel without pictures").isNull();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "hardware: mock|hardware: mock\\ncolour: red|colour: unknown key",
        "threads: 2|threads: 0|cameras[0].threads: value 0 is out of range [1, 16]",
        "threads: 2|threads: 1.5|cameras[0].threads: must be a whole number",
        "kind: colour|kind: infrared|cameras[0].kind: 'infrared' is not one of colour | uv",
        "failSafe: stop-line|failSafe: panic|failSafe: 'panic' is not one of alarm | reject-all | stop-line",
        "speedMps: 3.0|speedMps: 12|belt.speedMps: value 12 is out of range [0.05, 10]",
        "pitchMm: 80|pitchMm: 100|nozzleBar.pitchMm: 12 nozzles",
        "type: v4l2, device: /dev/video0|type: url, url: ftp://x|cameras[0].source.url: an rtsp://",
        "type: v4l2, device: /dev/video0|type: file|cameras[0].source.path: required",
        "belt: [0,225, 1000,225, 1000,975, 0,975]|belt: [0,225]|cameras[0].calibration.belt: must be a list of exactly 8",
        "positionMm: 3000, |bogus: 1, |nozzleBar.bogus: unknown key",
        "line: line-1|line: Line 1|line: 'Line 1' must match",
        "hardware: mock|hardware: virtual|hardware: 'virtual' goes with virtual cameras only",
        "device: /dev/video0}|device: /dev/video0, width: 640}|cameras[0].source.height: width and height are set together",
        "device: /dev/video0}|device: /dev/video0, crop: [0, 270, 1280]}|cameras[0].source.crop: must be a list of exactly 4 numbers",
        "device: /dev/video0}|device: /dev/video0, crop: [-1, 270, 1280, 480]}|cameras[0].source.crop[0]: -1 is not a whole number of pixels from 0",
        "device: /dev/video0}|device: /dev/video0, crop: [0, 270.5, 1280, 480]}|cameras[0].source.crop[1]: 270.5 is not a whole number",
        "device: /dev/video0}|device: /dev/video0, crop: [0, 270, 1280, 4]}|cameras[0].source.crop[3]: 4 is not a whole number of pixels from 8 to 16384 (width, height)",
        "device: /dev/video0}|device: /dev/video0, crop: [0, 270, left, 480]}|cameras[0].source.crop[2]: must be a number",
        "type: v4l2, device: /dev/video0}|type: virtual, crop: [0, 0, 64, 64]}|cameras[0].source.crop: a virtual camera is rendered at its scenario's size",
        "hardware: mock|hardware: mock\\nmqtt: {url: tcp://s:1883, httpUrl: s:8080}|mqtt.httpUrl: the control server",
        "hardware: mock|hardware: mock\\ndecision: {minSightingsByClass: {feather: 0}}|decision.minSightingsByClass.feather: value 0 is out of range [1, 100]",
        "hardware: mock|hardware: mock\\ndecision: {minSightingsByClass: {feather: 2.5}}|decision.minSightingsByClass.feather: must be a whole number",
        "hardware: mock|hardware: mock\\ndecision: {minSightingsByClass: {Feather: 4}}|decision.minSightingsByClass.Feather: not a class name",
        "hardware: mock|hardware: mock\\ndecision: {minSightingsByClass: 8}|decision.minSightingsByClass: must be a mapping",
        "hardware: mock|hardware: mock\\ndecision: {minSeenOverMmByClass: {feather: -1}}|decision.minSeenOverMmByClass.feather: value -1 is out of range [0, 5000]",
        "hardware: mock|hardware: mock\\ndecision: {minSeenOverMmByClass: {feather: far}}|decision.minSeenOverMmByClass.feather: must be a number",
        "hardware: mock|hardware: mock\\ndecision: {minSeenOverMmByClass: {Feather: 240}}|decision.minSeenOverMmByClass.Feather: not a class name",
        "hardware: mock|hardware: mock\\ndecision: {minSeenOverMmByClass: 240}|decision.minSeenOverMmByClass: must be a mapping",
        "hardware: mock|hardware: mock\\ndecision: {minMeanConfidenceByClass: {feather: 1.5}}|decision.minMeanConfidenceByClass.feather: value 1.5 is out of range [0, 1]",
        "hardware: mock|hardware: mock\\ndecision: {minMeanConfidenceByClass: {feather: high}}|decision.minMeanConfidenceByClass.feather: must be a number",
        "hardware: mock|hardware: mock\\ndecision: {minMeanConfidenceByClass: {Feather: 0.8}}|decision.minMeanConfidenceByClass.Feather: not a class name",
        "hardware: mock|hardware: mock\\ndecision: {minMeanConfidenceByClass: 0.8}|decision.minMeanConfidenceByClass: must be a mapping",
        "hardware: mock|hardware: mock\\ndecision: {sureMeanConfidenceByClass: {feather: 0.2}}|decision.sureMeanConfidenceByClass.feather: value 0.2 is out of range [0.5, 1]",
        "hardware: mock|hardware: mock\\ndecision: {sureMeanConfidenceByClass: {feather: sure}}|decision.sureMeanConfidenceByClass.feather: must be a number",
        "hardware: mock|hardware: mock\\ndecision: {sureMeanConfidenceByClass: {Feather: 0.9}}|decision.sureMeanConfidenceByClass.Feather: not a class name",
        "hardware: mock|hardware: mock\\ndecision: {sureMeanConfidenceByClass: 0.9}|decision.sureMeanConfidenceByClass: must be a mapping",
    })
    void eachRuleStopsTheAgentNamingTheKey(final String from, final String to, final String message) {
        final String yaml = VALID.replace(from.replace("\\n", "\n"), to.replace("\\n", "\n"));
        assertThat(yaml).isNotEqualTo(VALID);
        assertThatThrownBy(() -> ConfigLoader.parse(yaml, Path.of("."))).isInstanceOf(ConfigException.class)
                .hasMessageContaining(message);
    }

    @Test
    void perClassSightingsDefaultToTheShippedModelsNoisyClasses() {
        assertThat(ConfigLoader.parse(VALID, Path.of(".")).lineSettings().minSightingsByClass())
                .isEqualTo(Map.of("feather", 4, "plastic_film", 8));
        assertThat(ConfigLoader.parse(VALID, Path.of(".")).lineSettings().minSeenOverMmByClass())
                .isEqualTo(Map.of("feather", 230.0, "plastic_film", 600.0));
        assertThat(ConfigLoader.parse(VALID + "decision: {minSeenOverMmByClass: {feather: 300, straw: 50.5}}\n",
                Path.of(".")).lineSettings().minSeenOverMmByClass()).isEqualTo(Map.of("feather", 300.0, "straw", 50.5));
        assertThat(ConfigLoader.parse(VALID + "decision: {minSeenOverMmByClass: {}}\n", Path.of("."))
                .lineSettings().minSeenOverMmByClass()).as("an empty mapping: no travel demanded").isEmpty();
        assertThat(ConfigLoader.parse(VALID, Path.of(".")).lineSettings().minMeanConfidenceByClass())
                .as("none set: each model's card brings its own").isEmpty();
        assertThat(ConfigLoader.parse(VALID + "decision: {minMeanConfidenceByClass: {feather: 0.8, string: 0.6}}\n",
                Path.of(".")).lineSettings().minMeanConfidenceByClass()).isEqualTo(Map.of("feather", 0.8, "string", 0.6));
        assertThat(ConfigLoader.parse(VALID + "decision: {minMeanConfidenceByClass: {}}\n", Path.of("."))
                .lineSettings().minMeanConfidenceByClass()).as("an empty mapping: the models' rules").isEmpty();
        assertThat(ConfigLoader.parse(VALID + "decision: {minMeanConfidenceByClass: {feather: 0}}\n", Path.of("."))
                .lineSettings().minMeanConfidenceByClass()).as("0 switches a model's rule off").containsEntry("feather", 0.0);
        assertThat(ConfigLoader.parse(VALID, Path.of(".")).lineSettings().sureMeanConfidenceByClass())
                .isEqualTo(Map.of("feather", 0.9));
        assertThat(ConfigLoader.parse(VALID + "decision: {sureMeanConfidenceByClass: {feather: 0.95, straw: 0.8}}\n",
                Path.of(".")).lineSettings().sureMeanConfidenceByClass()).isEqualTo(Map.of("feather", 0.95, "straw", 0.8));
        assertThat(ConfigLoader.parse(VALID + "decision: {sureMeanConfidenceByClass: {}}\n", Path.of("."))
                .lineSettings().sureMeanConfidenceByClass()).as("an empty mapping: no shortcut").isEmpty();
        assertThat(ConfigLoader.parse(VALID + "decision: {minSightingsByClass: {string: 3}}\n", Path.of("."))
                .lineSettings().minSightingsByClass()).isEqualTo(Map.of("string", 3));
        assertThat(ConfigLoader.parse(VALID + "decision: {minSightingsByClass: {}}\n", Path.of("."))
                .lineSettings().minSightingsByClass()).as("an empty mapping: every class needs minSightings").isEmpty();
    }

    @Test
    void missingNozzleBarPositionIsNamed() {
        assertThatThrownBy(() -> ConfigLoader.parse(VALID.replace("positionMm: 3000, ", ""), Path.of(".")))
                .hasMessageContaining("nozzleBar.positionMm: required");
    }

    @Test
    void calibrationIsRequiredForRealCameras() {
        assertThatThrownBy(() -> ConfigLoader.parse(VALID.replaceAll("(?m)^    calibration:.*\\n", ""), Path.of(".")))
                .hasMessageContaining("cameras[0].calibration: required");
    }
}
