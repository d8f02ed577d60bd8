package dev.winnow.server.room;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.server.WinnowServer;
import dev.winnow.server.config.ServerConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dead-letter routes refuse what they cannot act on, each with a message that names it. */
class DeadLetterWebTest {

    @TempDir
    Path tmp;

    @Test
    void badIdsAndLimitsAreRefusedByName() throws Exception {
        try (WinnowServer server = WinnowServer.start(ServerConfig.ephemeral(tmp))) {
            final Http http = new Http(server.httpUrl());
            final Http.Reply none = http.get("/api/fleet/dead-letters");
            assertThat(none.status()).isEqualTo(200);
            assertThat(none.json().get("count").asLong()).isZero();
            assertThat(none.json().get("latest")).isEmpty();

            final Http.Reply notANumber = http.post("/api/fleet/dead-letters/abc/store", Map.of());
            assertThat(notANumber.status()).isEqualTo(400);
            assertThat(notANumber.body()).contains("must be a number").contains("abc");

            final Http.Reply missing = http.post("/api/fleet/dead-letters/42/store", Map.of());
            assertThat(missing.status()).isEqualTo(404);
            assertThat(missing.body()).contains("no dead letter 42");

            final Http.Reply badLimit = http.get("/api/fleet/dead-letters?limit=0");
            assertThat(badLimit.status()).isEqualTo(400);
            assertThat(badLimit.body()).contains("limit");
        }
    }
}
