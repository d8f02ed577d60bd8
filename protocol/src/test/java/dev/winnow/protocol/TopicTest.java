package dev.winnow.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class TopicTest {

    @Test
    void buildsAndParsesEveryKind() {
        final Topic[] topics = {
            Topic.of("mill-1", "line-2", "pi-7", Kind.STATUS),
            Topic.of("mill-1", "line-2", "pi-7", Kind.STATS),
            Topic.of("mill-1", "line-2", "pi-7", Kind.REJECT),
            Topic.of("mill-1", "line-2", "pi-7", Kind.ALARM),
            Topic.command("mill-1", "line-2", "pi-7", "test-fire"),
            Topic.commandResult("mill-1", "line-2", "pi-7", "test-fire"),
        };
        for (final Topic t : topics) {
            assertThat(Topic.parse(t.toString()).orThrow()).isEqualTo(t);
        }
        assertThat(topics[2].toString()).isEqualTo("winnow/v1/mill-1/line-2/pi-7/events/reject");
        assertThat(topics[5].toString()).isEqualTo("winnow/v1/mill-1/line-2/pi-7/cmd/test-fire/result");
    }

    @Test
    void subscriptionFiltersCoverEveryDevice() {
        assertThat(Topic.filterAll(Kind.REJECT)).isEqualTo("winnow/v1/+/+/+/events/reject");
        assertThat(Topic.filterAll(Kind.COMMAND_RESULT)).isEqualTo("winnow/v1/+/+/+/cmd/+/result");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "'', ",
        "winnow/v1/a/b, ",
        "other/v1/a/b/c/status, root",
        "winnow/v2/a/b/c/status, version",
        "winnow/v1/A/b/c/status, site",
        "winnow/v1/a/+/c/status, line",
        "winnow/v1/a/b/#/status, device",
        "winnow/v1/a/b/c/events/oops, kind",
        "winnow/v1/a/b/c/status/extra, kind",
        "winnow/v1/a/b/c/cmd/Bad Name, command",
        "winnow/v1/a/b/c/cmd/x/answer, kind",
    })
    void refusesMalformedTopicsNamingThePart(final String topic, final String field) {
        final DecodeError error = Topic.parse(topic == null ? "" : topic).errorOrNull();
        assertThat(error).isNotNull();
        assertThat(error.rule()).isEqualTo(DecodeError.Rule.BAD_TOPIC);
        assertThat(error.field()).isEqualTo(field);
        assertThat(error.message()).isNotBlank();
    }

    @Test
    void constructorRefusesBadNames() {
        assertThatThrownBy(() -> Topic.of("a", "b", "C", Kind.STATUS))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("device");
        assertThatThrownBy(() -> new Topic("a", "b", "c", Kind.STATUS, "x"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
