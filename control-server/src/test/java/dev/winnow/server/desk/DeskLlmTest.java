package dev.winnow.server.desk;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.winnow.server.llm.LlmConfig;
import dev.winnow.server.llm.OpenAiCompatibleProvider;
import dev.winnow.server.store.Database;
import dev.winnow.server.store.EventStore;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The language-model path against a local stub of an OpenAI-compatible server (never a real service). */
class DeskLlmTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** A stub answering each request with {@code reply.apply(request body)}. */
    private static HttpServer stub(final List<JsonNode> seen, final Function<JsonNode, String> reply) throws Exception {
        final HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        s.createContext("/v1/chat/completions", ex -> {
            final JsonNode req = JSON.readTree(ex.getRequestBody().readAllBytes());
            synchronized (seen) {
                seen.add(req);
            }
            final byte[] out = reply.apply(req).getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        s.start();
        return s;
    }

    private static String content(final String text) {
        return JSON.createObjectNode().set("choices", JSON.createArrayNode().add(JSON.createObjectNode()
                .put("finish_reason", "stop").set("message", JSON.createObjectNode().put("role", "assistant")
                        .put("content", text)))).toString();
    }

    private static String toolCall(final String name, final String args) {
        final var msg = JSON.createObjectNode().put("role", "assistant");
        msg.putNull("content");
        msg.putArray("tool_calls").addObject().put("id", "call_1").put("type", "function")
                .putObject("function").put("name", name).put("arguments", args);
        return JSON.createObjectNode().set("choices", JSON.createArrayNode().add(JSON.createObjectNode()
                .put("finish_reason", "tool_calls").set("message", msg))).toString();
    }

    @Test
    void theModelCallsTheLotToolWritesChineseAndTheGuardChecksItsFigures() throws Exception {
        final List<JsonNode> seen = new ArrayList<>();
        final HttpServer s = stub(seen, req -> {
            final String prompt = req.path("messages").toString();
            if (!prompt.contains("Tool calls:")) {
                return toolCall("lot_certificate", "{\"lot\":\"LOT-2604-A17\"}");
            }
            // the second turn: the certificate is source [1]; one right figure, one wrong one
            return content("您好：\n- 批次 LOT-2604-A17 共剔除异物 73 个，每吨 12.167 个。[1]\n检测了 7 吨。[1]\n此致");
        });
        try (Database db = Database.open(Database.embeddedUrl(dir), null, null)) {
            DeskDemo.seed(new EventStore(db));
            final Clock clock = Clock.fixed(Instant.parse("2026-04-20T08:00:00Z"), ZoneOffset.UTC);
            final Desk desk = new Desk(db, clock, new OpenAiCompatibleProvider(LlmConfig.of("http://127.0.0.1:"
                    + s.getAddress().getPort() + "/v1", "stub")), LotTool.of(db, clock), Embedder.miniLm(), 1 << 20);
            desk.loadSamples();
            final Answerer.Answer a = desk.answerer().answer("这个批次剔除了多少异物？批号见附件：A17", "x@y.example", null, true);
            assertThat(a.mode()).isEqualTo("llm");
            assertThat(a.language()).isEqualTo("zh");
            assertThat(a.sources()).extracting(Source::key).contains("lot:LOT-2604-A17");
            assertThat(a.body()).contains("共剔除异物 73 个").doesNotContain("- 批次");
            assertThat(a.guard().flags()).singleElement().satisfies(f -> assertThat(f.figure()).isEqualTo("7"));
            // the first request offered the tools and asked for Simplified Chinese
            final JsonNode first = seen.get(0);
            assertThat(first.path("tools").toString()).contains("lot_certificate").contains("order_status");
            assertThat(first.path("messages").get(0).path("content").asText()).contains("Simplified Chinese");
            assertThat(seen.get(1).path("messages").get(1).path("content").asText()).contains("\"removed_total\" : 73");
        } finally {
            s.stop(0);
        }
    }

    @Test
    void whenTheModelFailsTheDeskFallsBackToTheExtractiveDraft() throws Exception {
        final HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        s.createContext("/v1/chat/completions", ex -> {
            final byte[] out = "{\"error\":{\"message\":\"model not loaded\"}}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(503, out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        s.start();
        try (Database db = Database.open(Database.embeddedUrl(dir), null, null)) {
            final Clock clock = Clock.systemUTC();
            final Desk desk = new Desk(db, clock, new OpenAiCompatibleProvider(LlmConfig.of("http://127.0.0.1:"
                    + s.getAddress().getPort() + "/v1", "stub")), LotTool.of(db, clock), Embedder.miniLm(), 1 << 20);
            desk.loadSamples();
            final Answerer.Answer a = desk.answerer().answer("How long do refunds take?", null, null, true);
            assertThat(a.mode()).isEqualTo("extractive");
            assertThat(a.note()).contains("model not loaded");
            assertThat(a.body()).contains("14 business days");
            assertThat(a.guard().ok()).isTrue();
        } finally {
            s.stop(0);
        }
    }
}
