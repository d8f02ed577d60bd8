package dev.winnow.server.design;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winnow.server.WinnowServer;
import dev.winnow.server.config.ServerConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lab as a designer drives it, over HTTP on a real server, then again after a restart. */
class DesignLabHttpTest {

    static final ObjectMapper JSON = new ObjectMapper();
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    String base;

    HttpResponse<String> send(final String method, final String path, final String body, final String type) throws Exception {
        final HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (type != null) {
            b.header("Content-Type", type);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode json(final String method, final String path, final String body, final int status) throws Exception {
        final HttpResponse<String> r = send(method, path, body, "application/json");
        assertThat(r.statusCode()).as(method + " " + path + " → " + r.body()).isEqualTo(status);
        return JSON.readTree(r.body());
    }

    void awaitGenerations(final long study, final int n) throws Exception {
        final long end = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < end) {
            final JsonNode s = json("GET", "api/design/studies/" + study, null, 200);
            if (s.path("generations").asInt() >= n && !s.path("running").asBoolean()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("generation " + n + " did not finish");
    }

    @Test
    void briefGenerationsRatingsAbAndDownloads(@TempDir final Path dir) throws Exception {
        long study;
        String chosen;
        try (WinnowServer server = WinnowServer.start(ServerConfig.ephemeral(dir))) {
            base = server.httpUrl();
            assertThat(send("GET", "design", null, null).body()).contains("Design lab");
            final JsonNode st = json("GET", "api/design/status", null, 200);
            assertThat(st.path("llm").path("available").asBoolean()).isFalse();
            assertThat(st.path("llm").path("wouldAdd").asText()).contains("names");

            final JsonNode bad = json("POST", "api/design/studies", "{\"families\":[\"check\"],\"mood\":\"gothic\"}", 400);
            assertThat(bad.path("field").asText()).isEqualTo("mood");
            assertThat(bad.path("reason").asText()).contains("unknown mood");

            final JsonNode draft = json("POST", "api/design/brief-from-text",
                    "{\"text\":\"AW26 nordic houndstooth and checks, 3 colours, under 7 EUR\"}", 200);
            assertThat(draft.path("source").asText()).isEqualTo("keywords");
            assertThat(draft.path("brief").path("mood").asText()).isEqualTo("nordic");
            assertThat(draft.path("brief").path("maxColours").asInt()).isEqualTo(3);

            final JsonNode s = json("POST", "api/design/studies", "{\"name\":\"AW26 test\",\"mood\":\"heritage\","
                    + "\"families\":[\"check\",\"gingham\",\"stripe\"],\"maxColours\":4,\"repeat\":{\"min\":8,\"max\":32}}", 201);
            study = s.path("id").asLong();

            // live progress over SSE while generation 0 runs
            final List<String> events = new CopyOnWriteArrayList<>();
            final Thread reader = new Thread(() -> {
                try {
                    final HttpResponse<java.io.InputStream> r = http.send(HttpRequest.newBuilder(
                            URI.create(base + "api/design/studies/" + study + "/events")).header("Accept", "text/event-stream").build(),
                            HttpResponse.BodyHandlers.ofInputStream());
                    try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = in.readLine()) != null) {
                            if (line.startsWith("event:")) {
                                events.add(line.substring(6).trim());
                                if (line.contains("generation")) {
                                    return;
                                }
                            }
                        }
                    }
                } catch (Exception ignored) {
                    // test ends
                }
            });
            reader.setDaemon(true);
            reader.start();
            final long t0 = System.nanoTime();
            while (!events.contains("hello") && System.nanoTime() - t0 < 5_000_000_000L) {
                Thread.sleep(20);
            }
            json("POST", "api/design/studies/" + study + "/generations", "{\"size\":60,\"seed\":3}", 202);
            awaitGenerations(study, 1);
            reader.join(5000);
            assertThat(events).contains("hello", "progress", "generation");

            final JsonNode g0 = json("GET", "api/design/studies/" + study + "/generations/0", null, 200).path("designs");
            assertThat(g0).hasSize(60);
            final JsonNode top = g0.get(0);
            assertThat(top.path("scores")).hasSize(7);
            assertThat(top.path("scores").get(0).path("reason").asText()).isNotBlank();
            chosen = top.path("id").asText();
            final HttpResponse<byte[]> png = http.send(HttpRequest.newBuilder(URI.create(base + "api/design/designs/"
                    + chosen + "/swatch.png?px=6&size=120")).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(png.headers().firstValue("Content-Type")).hasValue("image/png");
            assertThat(javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(png.body())).getWidth()).isEqualTo(120);

            // people: rate and shortlist; the preference model learns
            json("POST", "api/design/designs/" + chosen + "/rating", "{\"rating\":5}", 200);
            json("POST", "api/design/designs/" + g0.get(59).path("id").asText() + "/rating", "{\"rating\":1}", 200);
            json("POST", "api/design/designs/" + g0.get(1).path("id").asText() + "/rating", "{\"rating\":9}", 400);
            final JsonNode sl = json("POST", "api/design/designs/" + chosen + "/shortlist", "{\"shortlisted\":true}", 200);
            assertThat(sl.path("preferenceExamples").asInt()).isEqualTo(3);
            assertThat(json("GET", "api/design/studies/" + study + "/preference", null, 200).path("weights")).hasSize(10);

            // market: A/B import ranked by the posterior
            final String csv = "design_id,impressions,clicks\n" + chosen + ",2000,120\n" + g0.get(2).path("id").asText()
                    + ",4,2\n" + g0.get(3).path("id").asText() + ",2000,40\nnope,10,1\n" + g0.get(4).path("id").asText() + ",5,9\n";
            final JsonNode imp = JSON.readTree(send("POST", "api/design/studies/" + study + "/ab", csv, "text/csv").body());
            assertThat(imp.path("imported").asInt()).isEqualTo(3);
            assertThat(imp.path("errors")).hasSize(2);
            final JsonNode market = json("GET", "api/design/studies/" + study + "/market", null, 200);
            assertThat(market.path("designs").get(0).path("design").asText()).isEqualTo(chosen);
            assertThat(market.path("designs").get(0).path("low").asDouble()).isLessThan(0.06).isGreaterThan(0.04);

            // generation 1 breeds from generation 0 and the archive; the preference and market feed the scores
            json("POST", "api/design/studies/" + study + "/generations", "{\"size\":60,\"seed\":4}", 202);
            awaitGenerations(study, 2);
            final JsonNode g1 = json("GET", "api/design/studies/" + study + "/generations/1", null, 200).path("designs");
            assertThat(g1).hasSize(60);
            JsonNode child = null;
            for (final JsonNode d : g1) {
                if (d.path("parents").size() > 0) {
                    child = d;
                    break;
                }
            }
            assertThat(child).isNotNull();
            assertThat(child.path("scores").get(5).path("reason").asText()).contains("judgements");
            final JsonNode lin = json("GET", "api/design/designs/" + child.path("id").asText() + "/lineage", null, 200);
            assertThat(lin.path("ancestors").size()).isGreaterThan(1);
            assertThat(lin.path("ancestors").get(1).path("generation").asInt()).isEqualTo(0);
        }

        // restart: the study, its designs and judgements come back from the database
        try (WinnowServer server = WinnowServer.start(ServerConfig.ephemeral(dir))) {
            base = server.httpUrl();
            final JsonNode s = json("GET", "api/design/studies/" + study, null, 200);
            assertThat(s.path("generations").asInt()).isEqualTo(2);
            final JsonNode d = json("GET", "api/design/designs/" + chosen, null, 200);
            assertThat(d.path("rating").asInt()).isEqualTo(5);
            assertThat(d.path("shortlisted").asBoolean()).isTrue();
            assertThat(d.path("constraints")).isEmpty();
            final HttpResponse<String> wif = send("GET", "api/design/designs/" + chosen + "/wif", null, null);
            assertThat(wif.headers().firstValue("Content-Disposition").orElse("")).contains(".wif");
            assertThat(wif.body()).startsWith("[WIF]").contains("[TIEUP]", "[WEFT COLORS]");
            final HttpResponse<String> spec = send("GET", "api/design/designs/" + chosen + "/spec.txt", null, null);
            assertThat(spec.body()).contains("WARP PLAN", "WN-HR-");
            final JsonNode copy = json("POST", "api/design/designs/" + chosen + "/copy", null, 200);
            assertThat(copy.path("source").asText()).isEqualTo("template");
            assertThat(copy.path("copies")).hasSize(3);
            assertThat(json("GET", "api/design/studies/" + study + "/shortlist", null, 200).path("shortlisted")).hasSize(1);
            assertThat(send("GET", "api/design/designs/s999-g0-1", null, null).statusCode()).isEqualTo(404);
        }
    }
}
