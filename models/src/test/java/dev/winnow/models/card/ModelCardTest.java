package dev.winnow.models.card;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ModelCardTest {

    static final String VALID = """
            {"name": "cotton-colour", "version": "1.2.0", "task": "detect",
             "description": "plastic on cotton",
             "input": {"width": 320, "height": 256, "layout": "NCHW", "channels": 3, "colourOrder": "bgr",
                       "letterbox": true, "padValue": 0, "resize": "nearest",
                       "normalisation": {"scale": 0.00392156862745098, "mean": [0.485, 0.456, 0.406],
                                         "std": [0.229, 0.224, 0.225]}},
             "classes": ["plastic_film", "pp_twine", "feather"],
             "confidence": 0.3, "thresholds": {"feather": 0.6},
             "nmsIou": 0.5, "decoder": "yolo", "maxDetections": 50,
             "decision": {"minMeanConfidence": {"feather": 0.7}},
             "sha256": "ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789"}
            """;

    @Test
    void parsesEveryField() {
        final ModelCard c = ModelCard.parse(VALID);
        assertThat(c.name()).isEqualTo("cotton-colour");
        assertThat(c.version()).isEqualTo("1.2.0");
        assertThat(c.task()).isEqualTo(Task.DETECT);
        assertThat(c.input().width()).isEqualTo(320);
        assertThat(c.input().height()).isEqualTo(256);
        assertThat(c.input().colourOrder()).isEqualTo(ColourOrder.BGR);
        assertThat(c.input().letterbox()).isTrue();
        assertThat(c.input().padValue()).isZero();
        assertThat(c.input().resize()).isEqualTo(ResizeMode.NEAREST);
        assertThat(c.input().normalisation().mean()).containsExactly(0.485, 0.456, 0.406);
        assertThat(c.classes()).containsExactly("plastic_film", "pp_twine", "feather");
        assertThat(c.thresholds()).containsExactly(0.3, 0.3, 0.6);
        assertThat(c.thresholdArray()).containsExactly(0.3f, 0.3f, 0.6f);
        assertThat(c.nmsIou()).isEqualTo(0.5);
        assertThat(c.decoder()).isEqualTo(DecoderKind.YOLO);
        assertThat(c.maxDetections()).isEqualTo(50);
        assertThat(c.sha256()).contains("abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
        assertThat(c.description()).isEqualTo("plastic on cotton");
        assertThat(c.minMeanConfidence()).containsExactly(java.util.Map.entry("feather", 0.7));
    }

    @Test
    void defaultsAreUltralytics() {
        final ModelCard c = ModelCard.parse("""
                {"name": "m", "version": "1", "task": "detect", "decoder": "yolo", "classes": ["a"],
                 "input": {"width": 64, "height": 64, "layout": "NCHW", "channels": 3, "colourOrder": "rgb",
                           "letterbox": true}}
                """);
        assertThat(c.input().padValue()).isEqualTo(114);
        assertThat(c.input().resize()).isEqualTo(ResizeMode.BILINEAR);
        assertThat(c.input().normalisation().gain(0)).isEqualTo(1f / 255f);
        assertThat(c.input().normalisation().offset(0)).isZero();
        assertThat(c.thresholds()).containsExactly(0.25);
        assertThat(c.nmsIou()).isEqualTo(0.45);
        assertThat(c.maxDetections()).isEqualTo(300);
        assertThat(c.sha256()).isEmpty();
        assertThat(c.minMeanConfidence()).isEmpty();
    }

    @Test
    void aSecondLookIsNamedPerClassAsAFolderOfTheModel() {
        final String verified = VALID.replace("\"decision\": {\"minMeanConfidence\": {\"feather\": 0.7}}",
                "\"decision\": {\"minMeanConfidence\": {\"feather\": 0.7}, \"verify\": {\"feather\": \"feather-verifier\"}}");
        assertThat(ModelCard.parse(verified).verify()).containsExactly(java.util.Map.entry("feather", "feather-verifier"));
        assertThat(ModelCard.parse(VALID).verify()).isEmpty();
        assertFailsOn(verified.replace("{\"feather\": \"feather-verifier\"}", "{\"straw\": \"feather-verifier\"}"),
                "decision.verify.straw", "not in 'classes'");
        assertFailsOn(verified.replace("\"feather-verifier\"", "\"../elsewhere\""), "decision.verify.feather",
                "name of a folder inside the model's folder");
        assertFailsOn(verified.replace("\"feather-verifier\"", "true"), "decision.verify.feather",
                "name of a folder inside the model's folder");
        assertFailsOn(verified.replace("{\"feather\": \"feather-verifier\"}",
                "{\"feather\": \"one-check\", \"pp_twine\": \"one-check\"}"), "decision.verify.pp_twine",
                "one per class");
        assertFailsOn(verified.replace("{\"feather\": \"feather-verifier\"}", "[\"feather-verifier\"]"),
                "decision.verify", "must be an object");
        final String tile = """
                {"name": "t", "version": "1", "task": "classify", "decoder": "tile", "classes": ["a"],
                 "input": {"width": 8, "height": 8, "layout": "NCHW", "channels": 3, "colourOrder": "rgb",
                           "letterbox": false},
                 "decision": {"verify": {"a": "check"}}}
                """;
        assertFailsOn(tile, "decision.verify", "only allowed for task detect");
    }

    @Test
    void decisionRuleForAClassTheModelDoesNotHaveIsNamed() {
        assertFailsOn(VALID.replace("{\"feather\": 0.7}", "{\"straw\": 0.7}"), "decision.minMeanConfidence.straw",
                "not in 'classes'");
    }

    @Test
    void decisionRuleOutOfRangeIsNamed() {
        assertFailsOn(VALID.replace("{\"feather\": 0.7}", "{\"feather\": 1.5}"),
                "decision.minMeanConfidence.feather", "in [0, 1]");
        assertFailsOn(VALID.replace("{\"feather\": 0.7}", "{\"feather\": \"high\"}"),
                "decision.minMeanConfidence.feather", "in [0, 1]");
    }

    @Test
    void unknownDecisionRuleIsNamed() {
        assertFailsOn(VALID.replace("\"minMeanConfidence\"", "\"minSightings\""), "decision.minSightings",
                "not a known key");
    }

    @Test
    void decisionMustBeAnObject() {
        assertFailsOn(VALID.replace("{\"minMeanConfidence\": {\"feather\": 0.7}}", "0.7"), "decision", "object");
    }

    private static void assertFailsOn(final String json, final String key, final String fragment) {
        assertThatThrownBy(() -> ModelCard.parse(json))
                .isInstanceOf(InvalidModelCardException.class)
                .hasMessageContaining("'" + key + "'")
                .hasMessageContaining(fragment)
                .satisfies(e -> assertThat(((InvalidModelCardException) e).key()).isEqualTo(key));
    }

    @Test
    void unknownNestedKeyIsNamed() {
        assertFailsOn(VALID.replace("\"colourOrder\"", "\"colorOrder\""), "input.colorOrder", "not a known key");
    }

    @Test
    void unknownTopLevelKeyIsNamed() {
        assertFailsOn(VALID.replace("\"nmsIou\"", "\"iou\""), "iou", "not a known key");
    }

    @Test
    void outOfRangeValuesAreNamed() {
        assertFailsOn(VALID.replace("\"width\": 320", "\"width\": 0"), "input.width", "out of range");
        assertFailsOn(VALID.replace("\"nmsIou\": 0.5", "\"nmsIou\": 1.5"), "nmsIou", "out of range");
        assertFailsOn(VALID.replace("\"feather\": 0.6", "\"feather\": 2"), "thresholds.feather", "[0, 1]");
        assertFailsOn(VALID.replace("0.229", "0"), "input.normalisation.std[0]", "out of range");
        assertFailsOn(VALID.replace("\"padValue\": 0", "\"padValue\": 256"), "input.padValue", "out of range");
    }

    @Test
    void badValuesAreNamed() {
        assertFailsOn(VALID.replace("\"NCHW\"", "\"NHWC\""), "input.layout", "NCHW");
        assertFailsOn(VALID.replace("\"channels\": 3", "\"channels\": 1"), "input.channels", "must be 3");
        assertFailsOn(VALID.replace("\"bgr\"", "\"rgba\""), "input.colourOrder", "rgb or bgr");
        assertFailsOn(VALID.replace("\"thresholds\": {\"feather\"", "\"thresholds\": {\"straw\""),
                "thresholds.straw", "not in 'classes'");
        assertFailsOn(VALID.replace("\"pp_twine\"", "\"PP Twine\""), "classes[1]", "wire-style token");
        assertFailsOn(VALID.replace("\"pp_twine\"", "\"feather\""), "classes[2]", "repeats");
        assertFailsOn(VALID.replace("\"decoder\": \"yolo\"", "\"decoder\": \"class-map\""), "decoder",
                "cannot decode task 'detect'");
        assertFailsOn(VALID.replace("\"letterbox\": true", "\"letterbox\": \"yes\""), "input.letterbox",
                "true or false");
        assertFailsOn(VALID.replace("\"sha256\": \"ABCDEF", "\"sha256\": \"XYZ"), "sha256", "64 hexadecimal");
    }

    @Test
    void missingKeyIsNamed() {
        assertFailsOn(VALID.replace("\"classes\": [\"plastic_film\", \"pp_twine\", \"feather\"],", ""),
                "classes", "is required");
    }

    @Test
    void decoderSectionsAreParsedAndChecked() {
        final String seg = """
                {"name": "s", "version": "1", "task": "segment", "decoder": "class-map", "classes": ["a", "b"],
                 "input": {"width": 64, "height": 64, "layout": "NCHW", "channels": 3, "colourOrder": "rgb",
                           "letterbox": false},
                 "classMap": {"connectivity": 4, "minArea": 9}}
                """;
        assertThat(ModelCard.parse(seg).classMap()).isEqualTo(new ClassMapSpec(4, 9));
        assertFailsOn(seg.replace("\"connectivity\": 4", "\"connectivity\": 6"), "classMap.connectivity", "4 or 8");
        final String tile = seg.replace("segment", "classify").replace("class-map", "tile")
                .replace("\"classMap\": {\"connectivity\": 4, \"minArea\": 9}",
                        "\"tiles\": {\"cols\": 4, \"rows\": 2, \"activation\": \"sigmoid\", \"ignore\": \"a\"}");
        assertThat(ModelCard.parse(tile).tiles()).isEqualTo(new TileSpec(4, 2, TileSpec.Activation.SIGMOID, 0));
        assertFailsOn(tile.replace("\"ignore\": \"a\"", "\"ignore\": \"z\""), "tiles.ignore", "names 'z'");
        assertFailsOn(seg.replace("\"classMap\"", "\"tiles\""), "tiles", "only allowed with decoder tile");
    }

    @Test
    void tokensFromLabellingToolNames() {
        assertThat(ModelCard.toToken("Hole")).isEqualTo("hole");
        assertThat(ModelCard.toToken(" Plastic Film ")).isEqualTo("plastic_film");
        assertThat(ModelCard.toToken("3-ply twine")).isEqualTo("ply_twine");
        assertThat(ModelCard.TOKEN.matcher(ModelCard.toToken("PP/twine (white)")).matches()).isTrue();
    }

    @Test
    void malformedJsonIsReported() {
        assertThatThrownBy(() -> ModelCard.parse("{\"name\": "))
                .isInstanceOf(InvalidModelCardException.class).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> ModelCard.parse("{\"name\": \"a\", \"name\": \"b\"}"))
                .isInstanceOf(InvalidModelCardException.class).hasMessageContaining("not valid JSON");
    }
}
