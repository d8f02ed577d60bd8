package dev.winnow.edge.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.hardware.sim.PulseRecord;
import dev.winnow.hardware.sim.Scenario;
import dev.winnow.server.WinnowServer;
import dev.winnow.server.config.ServerConfig;
import dev.winnow.server.store.Rejection;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real control server (embedded broker and database) and the real agent pipeline on the virtual
 * line, talking MQTT on loopback: every rejection the agent fired arrives stored, once.
 */
final class EndToEndTest {

    @Test
    void everyRejectionFiredArrivesStoredCountForCount(@TempDir final Path dir) throws Exception {
        try (WinnowServer server = WinnowServer.start(ServerConfig.ephemeral(dir.resolve("server")))) {
            final Simulation simulation = new Simulation(new Simulation.Options(
                    Scenario.named("demo").withSeed(7), 8, false, server.mqttUrl(), "test-mill", "line-1", "pi-1",
                    dir.resolve("agent"), 1, false, true).withHttpUrl(server.httpUrl()));
            final Simulation.Result result = simulation.run();

            assertThat(result.rejections()).as("the agent must have rejected something").isGreaterThan(5);
            assertThat(result.pulses()).as("the virtual valves must have fired").isNotEmpty();
            assertThat(result.unsent()).isZero();

            final long deadline = System.nanoTime() + 15_000_000_000L;
            while (server.store().countRejections() < result.rejections() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(server.store().countRejections()).isEqualTo(result.rejections());

            final List<Rejection> stored = server.store().latestRejections("test-mill", "line-1", 1000);
            assertThat(stored).hasSize((int) result.rejections());
            assertThat(stored).extracting(Rejection::id).doesNotHaveDuplicates();
            assertThat(stored).allSatisfy(r -> {
                assertThat(r.device()).isEqualTo("pi-1");
                assertThat(r.audit()).isFalse();
                assertThat(r.valves()).isNotEmpty();
            });
            final Map<String, Long> storedByClass = stored.stream()
                    .collect(Collectors.groupingBy(Rejection::cls, TreeMap::new, Collectors.counting()));
            assertThat(storedByClass).isEqualTo(new TreeMap<>(result.rejectionsByClass()));

            // Every valve named in a stored event really opened on the virtual nozzle bar. (The bar may have
            // opened more: a later sighting that shows more of an object widens its pulse.)
            final Set<Integer> storedValves = stored.stream().flatMap(r -> r.valves().stream())
                    .collect(Collectors.toCollection(TreeSet::new));
            final Set<Integer> firedValves = result.pulses().stream().map(PulseRecord::valve)
                    .collect(Collectors.toCollection(TreeSet::new));
            assertThat(firedValves).containsAll(storedValves);

            // Every rejection's picture reached the gallery: the object cut from the frame that decided it.
            assertThat(result.crops()).isEqualTo(new dev.winnow.edge.link.CropUploader.Counts(result.rejections(), 0, 0));
            final java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            final String gallery = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.httpUrl()
                    + "api/gallery?site=test-mill&line=line-1&limit=1000")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            final com.fasterxml.jackson.databind.JsonNode items = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(gallery);
            final com.fasterxml.jackson.databind.JsonNode list = items.isArray() ? items : items.path("items");
            assertThat(list.size()).as(gallery).isEqualTo((int) result.rejections());
            list.forEach(item -> assertThat(item.path("hasCrop").asBoolean()).as(item.toString()).isTrue());
            final String first = list.get(0).path("id").asText();
            final java.net.http.HttpResponse<byte[]> jpeg = http.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(server.httpUrl() + "api/gallery/" + first + "/crop.jpg")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofByteArray());
            assertThat(jpeg.statusCode()).isEqualTo(200);
            assertThat(javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(jpeg.body()))).isNotNull();
        }
    }
}
