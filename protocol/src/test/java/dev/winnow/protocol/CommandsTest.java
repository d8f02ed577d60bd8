package dev.winnow.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

final class CommandsTest {

    @Test
    void everyCommandNameIsAValidTopicLevelAndItsArgumentsAreDistinct() {
        assertThat(Commands.names()).containsExactly("test-fire", "audit", "set-lot", "snapshot", "set-config",
                "deploy-model", "rollback-model");
        for (final String name : Commands.names()) {
            assertThat(Topic.NAME.matcher(name).matches()).as(name).isTrue();
            assertThat(Commands.arguments(name)).as(name).doesNotHaveDuplicates().isNotEmpty();
        }
        assertThat(Commands.DeployModel.VERIFIER_KEYS).doesNotHaveDuplicates();
        assertThat(Commands.known("fire")).isFalse();
        assertThat(Commands.arguments("fire")).isEmpty();
    }

    @Test
    void anArgumentACommandDoesNotTakeIsNamed() {
        final ObjectNode a = WireCodec.newObject();
        a.put(Commands.TestFire.VALVE, 3).put(Commands.TestFire.MS, 20);
        assertThat(Commands.unknownArgument(Commands.TestFire.NAME, a)).isEmpty();
        a.put("pulseMs", 20);
        assertThat(Commands.unknownArgument(Commands.TestFire.NAME, a)).contains("pulseMs");
        assertThat(Commands.unknownArgument("no-such-command", WireCodec.newObject().put("x", 1))).contains("x");
    }
}
