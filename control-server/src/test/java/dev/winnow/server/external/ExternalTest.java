package dev.winnow.server.external;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** The skip-or-fail switch: CI must never pass by skipping the external runs. */
class ExternalTest {

    @Test
    void aMissingBinarySkipsOrFailsAsTheSwitchSays(@TempDir final Path dir) {
        final List<Path> nowhere = List.of(dir.resolve("no-such-broker"));
        if (External.required()) {
            assertThatThrownBy(() -> External.binary("NoSuchBroker", nowhere))
                    .isInstanceOf(AssertionFailedError.class).hasMessageContaining("NoSuchBroker is not installed")
                    .hasMessageContaining(External.ENV + "=required");
        } else {
            assertThatThrownBy(() -> External.binary("NoSuchBroker", nowhere))
                    .isInstanceOf(TestAbortedException.class).hasMessageContaining("NoSuchBroker is not installed")
                    .hasMessageContaining("set " + External.ENV + "=required");
        }
    }

    @Test
    void theFirstExecutableCandidateIsChosen(@TempDir final Path dir) throws Exception {
        final Path plain = Files.writeString(dir.resolve("plain"), "");
        final Path exe = Files.writeString(dir.resolve("exe"), "#!/bin/sh\n");
        assertThat(exe.toFile().setExecutable(true)).isTrue();
        assertThat(External.binary("Thing", List.of(dir.resolve("missing"), plain, exe))).isEqualTo(exe);
    }
}
