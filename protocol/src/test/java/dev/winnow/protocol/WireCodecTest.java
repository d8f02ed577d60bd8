package dev.winnow.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class WireCodecTest {

    private static final Instant T = Instant.parse("2026-11-22T06:00:00.123Z");

    static RejectEvent reject() {
        return new RejectEvent("pi-7-000042", T, "colour", "plastic_film", 0.93, 123456.5, 412.0, 18.0, 25.5,
                List.of(12, 13), 14.0, false, "cotton-colour@1.0.0", "lot-2026-118", null);
    }

    @Test
    void everyMessageRoundTrips() {
        final ObjectNode args = WireCodec.newObject().put("valve", 3).put("ms", 20);
        final List<WireMessage> messages = List.of(
                new Status(Status.State.ONLINE, T, "0.1.0", Map.of("colour", "cotton-colour@1.0.0"), "a1b2c3"),
                Status.offline(T),
                new Status(Status.State.ONLINE, T, "0.1.0", Map.of("colour", "cotton-colour@2.0.0"), "a1b2c3",
                        List.of("colour")),
                new Status(Status.State.ONLINE, T, "0.1.0", Map.of("colour", "cotton-colour@2.0.0"), "a1b2c3",
                        List.of(), 7L),
                Status.offline(T).withBoot(7),
                new Stats(T, T.plusSeconds(10), Stats.Mode.RUNNING, 300, 1, 12, Map.of("straw", 3L),
                        Map.of("straw", 2L), 1, 0, 4.5, 9.25, 4, 30.0, 0, 51.5, "lot-1"),
                new Stats(T, T.plusSeconds(10), Stats.Mode.AUDIT, 0, 0, 0, Map.of(), Map.of(), 0, 0, 0, 0, 0, 0, 0,
                        null, null),
                reject(),
                new Alarm("a-1", T, Alarm.State.RAISED, Alarm.Severity.CRITICAL, "camera_stall",
                        "camera uv sent no frame for 2.0 s", "uv"),
                new Command("c-1", "test-fire", T, args),
                new CommandResult("c-1", "test-fire", CommandResult.Outcome.REFUSED, "valve 99 does not exist", T),
                new CommandResult("c-1", "test-fire", CommandResult.Outcome.DONE, null, T));
        for (final WireMessage m : messages) {
            final Decoded<? extends WireMessage> back = WireCodec.decode(m.kind(), WireCodec.encode(m));
            assertThat(back.errorOrNull()).as("%s", m).isNull();
            assertThat(back.orThrow()).isEqualTo(m);
        }
    }

    @Test
    void aStatusWithoutCamerasInAuditCarriesNoSuchField() {
        // so a server that predates the field still reads every device whose cameras all fire
        final String json = new String(WireCodec.encode(new Status(Status.State.ONLINE, T, "0.1.0", Map.of(), "a")),
                StandardCharsets.UTF_8);
        assertThat(json).doesNotContain("auditCameras");
        assertThat(new String(WireCodec.encode(new Status(Status.State.ONLINE, T, "0.1.0", Map.of(), "a",
                List.of("uv-1"))), StandardCharsets.UTF_8)).contains("\"auditCameras\":[\"uv-1\"]");
    }

    @Test
    void aStatusCarriesTheAgentsStartCountOnlyWhenItHasOne() {
        // absent from older agents' statuses, which a server reads as before: ordered by time alone
        assertThat(new String(WireCodec.encode(new Status(Status.State.ONLINE, T, "0.1.0", Map.of(), "a")),
                StandardCharsets.UTF_8)).doesNotContain("boot");
        assertThat(new String(WireCodec.encode(Status.offline(T).withBoot(12)), StandardCharsets.UTF_8))
                .contains("\"boot\":12");
        assertThat(WireCodec.decodeStatus(WireCodec.encode(Status.offline(T).withBoot(12))).orThrow().boot())
                .isEqualTo(12L);
    }

    @Test
    void encodesClassUnderItsWireName() {
        final String json = new String(WireCodec.encode(reject()), StandardCharsets.UTF_8);
        assertThat(json).contains("\"schema\":1").contains("\"class\":\"plastic_film\"").doesNotContain("\"crop\"");
    }
}
