package dev.winnow.edge.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StartCountTest {

    @Test
    void eachStartCountsOneMoreAndKeepsTheCountOnDisk(@TempDir final Path dir) throws IOException {
        final Path state = dir.resolve("agent-pi-1");
        assertThat(StartCount.next(state)).isEqualTo(1);
        assertThat(StartCount.next(state)).isEqualTo(2);
        assertThat(StartCount.next(state)).isEqualTo(3);
        assertThat(Files.readString(state.resolve(StartCount.FILE)).strip()).isEqualTo("3");
        assertThat(state.resolve(StartCount.FILE + ".tmp")).doesNotExist();
    }

    @Test
    void aDamagedCountStopsTheStartNamingTheFileAndIsLeftAsItIs(@TempDir final Path dir) throws IOException {
        for (final String damaged : new String[] {"three", "0", "-4", "", "9223372036854775807"}) {
            final Path file = dir.resolve(StartCount.FILE);
            Files.writeString(file, damaged, StandardCharsets.UTF_8);
            assertThatThrownBy(() -> StartCount.next(dir)).as(damaged)
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining(file.toString())
                    .hasMessageContaining("holds '" + damaged + "'");
            assertThat(Files.readString(file)).isEqualTo(damaged);
        }
    }
}
