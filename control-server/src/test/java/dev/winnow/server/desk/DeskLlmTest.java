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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The language-model path against a local stub of an OpenAI-compatible server (never a real service): the
 * model calls the desk's tools with the protocol's tool calls, gets each result as a {@code tool} message,
 * and its draft goes through the checker and the number guard.
 */
class DeskLlmTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CITE_AS = Pattern.compile("Cite it as \\[(\\d+)]");

    @TempDir
    Path dir;

    final List<JsonNode> seen = new ArrayList<>();
    HttpServer stub;
    Database db;

    @BeforeEach
    void open() throws Exception {
        db = Database.open(Database.embeddedUrl(dir), null, null);
        DeskDemo.seed(new EventStore(db));
    }

    @AfterEach
    void close() throws Exception {
        if (stub != null) {
            stub.stop(0);
        }
        db.close();
    }

    /** A stub answering each request with {@code reply.apply(request body)}. */
    Desk deskWithStub(final Function<JsonNode, String> reply) throws Exception {
        stub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        stub.createContext("/v1/chat/completions", ex -> {
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
        stub.start();
        final Clock clock = Clock.fixed(Instant.parse("2026-04-20T08:00:00Z"), ZoneOffset.UTC);
        final Desk desk = new Desk(db, clock, new OpenAiCompatibleProvider(LlmConfig.of("http://127.0.0.1:"
                + stub.getAddress().getPort() + "/v1", "stub")), LotTool.of(db, clock), Embedder.miniLm(), 1 << 20);
        desk.loadSamples();
        return desk;
    }

    private static String content(final String text) {
        return JSON.createObjectNode().set("choices", JSON.createArrayNode().add(JSON.createObjectNode()
                .put("finish_reason", "stop").set("message", JSON.createObjectNode().put("role", "assistant")
                        .put("content", text)))).toString();
    }

    private static String toolCall(final String id, final String name, final String args) {
        final var msg = JSON.createObjectNode().put("role", "assistant");
        msg.putNull("content");
        msg.putArray("tool_calls").addObject().put("id", id).put("type", "function")
                .putObject("function").put("name", name).put("arguments", args);
        return JSON.createObjectNode().set("choices", JSON.createArrayNode().add(JSON.createObjectNode()
                .put("finish_reason", "tool_calls").set("message", msg))).toString();
    }

    private static JsonNode last(final JsonNode req) {
        final JsonNode m = req.path("messages");
        return m.get(m.size() - 1);
    }

    /** The source number the desk gave the latest tool result of the conversation. */
    private static String citeAs(final JsonNode req) {
        return CITE_AS.matcher(req.path("messages").toString()).results().reduce((a, b) -> b).map(r -> r.group(1))
                .orElse("?");
    }

    @Test
    void theModelCallsTheLotToolAndAnswersInChineseFromTheToolMessage() throws Exception {
        final Desk desk = deskWithStub(req -> {
            final JsonNode l = last(req);
            if ("tool".equals(l.path("role").asText())) {
                final String n = citeAs(req);
                // one right figure, one the certificate does not hold (7 t: it says 6)
                return content("您好：\n- 批次 LOT-2604-A17 共剔除异物 73 个。[" + n + "]\n检测了 7 吨。[" + n + "]\n此致");
            }
            if (l.path("content").asText().startsWith("A checker read your draft")) {
                // the correction keeps the right figure and drops the wrong one
                return content("您好：\n批次 LOT-2604-A17 共剔除异物 73 个。[" + citeAs(req) + "]\n此致");
            }
            return toolCall("call_a17", "lot_certificate", "{\"lot\":\"LOT-2604-A17\"}");
        });
        final Answerer.Answer a = desk.answerer().answer("这个批次剔除了多少异物？批号见附件：A17", "x@y.example", null, true);
        assertThat(a.mode()).isEqualTo("llm");
        assertThat(a.language()).isEqualTo("zh");
        assertThat(a.sources()).extracting(Source::key).contains("lot:LOT-2604-A17");
        assertThat(a.body()).contains("共剔除异物 73 个").doesNotContain("7 吨");
        assertThat(a.guard().ok()).isTrue();
        assertThat(a.note()).contains("lot_certificate").contains("corrected after the checker found 1 problem");

        assertThat(seen).hasSize(3);
        final JsonNode first = seen.get(0);
        assertThat(first.path("tools").toString()).contains("lot_certificate").contains("order_status");
        assertThat(first.path("tool_choice").asText()).isEqualTo("auto");
        assertThat(first.path("messages").get(0).path("content").asText()).contains("Simplified Chinese");
        // the second request carries the model's call and its result as a tool message
        final JsonNode msgs = seen.get(1).path("messages");
        final JsonNode call = msgs.get(msgs.size() - 2);
        assertThat(call.path("role").asText()).isEqualTo("assistant");
        assertThat(call.path("tool_calls").get(0).path("id").asText()).isEqualTo("call_a17");
        assertThat(call.path("tool_calls").get(0).path("function").path("name").asText()).isEqualTo("lot_certificate");
        final JsonNode result = msgs.get(msgs.size() - 1);
        assertThat(result.path("role").asText()).isEqualTo("tool");
        assertThat(result.path("tool_call_id").asText()).isEqualTo("call_a17");
        assertThat(result.path("content").asText()).contains("\"removed_total\" : 73").contains("LOT-2604-A17");
        // the correction turn names the unsupported figure and may not call tools
        assertThat(last(seen.get(2)).path("content").asText()).contains("figure 7 is not in the cited source");
        assertThat(seen.get(2).path("tool_choice").asText()).isEqualTo("none");
    }

    @Test
    void aFigureTheModelWillNotCorrectStaysFlaggedForTheAgent() throws Exception {
        final Desk desk = deskWithStub(req -> "tool".equals(last(req).path("role").asText())
                || last(req).path("content").asText().startsWith("A checker")
                ? content("Hello,\nLot LOT-2604-A17: 74 contaminants were removed. [" + lotSource(req) + "]\nKind regards,")
                : toolCall("c1", "lot_certificate", "{\"lot\":\"LOT-2604-A17\"}"));
        final Answerer.Answer a = desk.answerer().answer("How many contaminants were removed from lot LOT-2604-A17?",
                null, null, true);
        assertThat(a.mode()).isEqualTo("llm");
        assertThat(a.guard().flags()).singleElement().satisfies(f -> assertThat(f.figure()).isEqualTo("74"));
        assertThat(a.note()).contains("did not correct").contains("check: line 2: figure 74 is not in the cited source");
    }

    /** The lot certificate's number among the sources the request shows (prompt or tool result). */
    private static String lotSource(final JsonNode req) {
        final Matcher m = Pattern.compile("\\[(\\d+)] Lot quality certificate").matcher(req.path("messages").toString());
        if (m.find()) {
            return m.group(1);
        }
        final Matcher t = Pattern.compile("Source \\[(\\d+)] Lot quality").matcher(req.path("messages").toString());
        return t.find() ? t.group(1) : "?";
    }

    @Test
    void badToolArgumentsGetAnErrorResultAndTheModelIsAskedAgain() throws Exception {
        final Desk desk = deskWithStub(req -> {
            final JsonNode l = last(req);
            if (!"tool".equals(l.path("role").asText())) {
                return toolCall("c1", "order_status", "{order_id: SO-24017");
            }
            if (l.path("content").asText().startsWith("error:")) {
                return toolCall("c2", "order_status", "{\"order_id\":\"SO-24017\"}");
            }
            return content("Hello,\nOrder SO-24017 is in production. [" + citeAs(req) + "]\nKind regards,");
        });
        final Answerer.Answer a = desk.answerer().answer("Where is my shipment?", "purchasing@shfineyarns.example", null, true);
        assertThat(a.mode()).isEqualTo("llm");
        final JsonNode errorResult = last(seen.get(1));
        assertThat(errorResult.path("role").asText()).isEqualTo("tool");
        assertThat(errorResult.path("tool_call_id").asText()).isEqualTo("c1");
        assertThat(errorResult.path("content").asText()).startsWith("error: the arguments are not JSON");
        assertThat(a.note()).contains("order_status refused").contains("order_status({\"order_id\":\"SO-24017\"})");
        assertThat(a.sources()).extracting(Source::key).contains("order:SO-24017");
    }

    @Test
    void aModelThatNeverStopsCallingToolsIsCutOffAndTheExtractiveDraftIsUsed() throws Exception {
        final Desk desk = deskWithStub(req -> toolCall("c" + req.path("messages").size(), "search_documents",
                "{\"query\":\"refunds\"}"));
        final Answerer.Answer a = desk.answerer().answer("How long do refunds take?", null, null, true);
        assertThat(a.mode()).isEqualTo("extractive");
        assertThat(a.note()).contains("gave no answer text");
        assertThat(a.body()).contains("14 business days");
        assertThat(seen).hasSize(LlmDrafter.MAX_TOOL_ROUNDS + 1);
        assertThat(seen.get(LlmDrafter.MAX_TOOL_ROUNDS).path("tool_choice").asText()).isEqualTo("none");
    }

    @Test
    void withNothingToCiteTheModelSaysItDoesNotKnowAndTheDraftIsMarkedUnknown() throws Exception {
        final Desk desk = deskWithStub(req -> content(
                "Hello,\nOur documents do not say whether we sell organic cotton from Egypt; a specialist will follow up.\n"
                        + "Kind regards,"));
        final Answerer.Answer a = desk.answerer().answer("Do you sell organic cotton grown in Egypt?", null, null, true);
        assertThat(a.mode()).isEqualTo("llm");
        assertThat(a.known()).isFalse();
        assertThat(a.guard().ok()).isTrue();
        assertThat(a.note()).isNull();
        assertThat(seen).hasSize(1);
        assertThat(seen.get(0).path("messages").get(0).path("content").asText()).contains("say that you do not know");
    }

    @Test
    void whenTheModelFailsTheDeskFallsBackToTheExtractiveDraft() throws Exception {
        stub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        stub.createContext("/v1/chat/completions", ex -> {
            final byte[] out = "{\"error\":{\"message\":\"model not loaded\"}}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(503, out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        stub.start();
        final Clock clock = Clock.systemUTC();
        final Desk desk = new Desk(db, clock, new OpenAiCompatibleProvider(LlmConfig.of("http://127.0.0.1:"
                + stub.getAddress().getPort() + "/v1", "stub")), LotTool.of(db, clock), Embedder.miniLm(), 1 << 20);
        desk.loadSamples();
        final Answerer.Answer a = desk.answerer().answer("How long do refunds take?", null, null, true);
        assertThat(a.mode()).isEqualTo("extractive");
        assertThat(a.note()).contains("model not loaded");
        assertThat(a.body()).contains("14 business days");
        assertThat(a.guard().ok()).isTrue();
    }
}
