package dev.winnow.server.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The OpenAI-compatible provider against a local stub server speaking the same protocol. */
class LlmProviderTest {

    static final ObjectMapper JSON = new ObjectMapper();
    HttpServer stub;
    final AtomicReference<JsonNode> lastBody = new AtomicReference<>();
    final AtomicReference<String> lastAuth = new AtomicReference<>();
    volatile int status = 200;
    volatile String answer;
    volatile long delayMs;

    @BeforeEach
    void start() throws Exception {
        stub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        stub.createContext("/v1/chat/completions", ex -> {
            lastBody.set(JSON.readTree(ex.getRequestBody()));
            lastAuth.set(ex.getRequestHeaders().getFirst("Authorization"));
            try {
                Thread.sleep(delayMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            final byte[] b = answer.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(status, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        stub.start();
    }

    @AfterEach
    void stop() {
        stub.stop(0);
    }

    LlmConfig config() {
        return LlmConfig.of("http://127.0.0.1:" + stub.getAddress().getPort() + "/v1/", "tiny-model");
    }

    @Test
    void chatSendsTheProtocolAndReadsTheAnswer() {
        answer = "{\"id\":\"x\",\"model\":\"tiny-model\",\"choices\":[{\"index\":0,\"finish_reason\":\"stop\","
                + "\"message\":{\"role\":\"assistant\",\"content\":\"Sure: {\\\"name\\\": \\\"Moss Check\\\"}\"}}],"
                + "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":5}}";
        final LlmProvider p = new OpenAiCompatibleProvider(config().withApiKey("sk-test"));
        final LlmProvider.Response r = p.chat(LlmProvider.Request.of(List.of(LlmProvider.Message.system("be brief"),
                LlmProvider.Message.user("name it"))).asJson().withTemperature(0.3));
        assertThat(r.content()).contains("Moss Check");
        assertThat(r.finishReason()).isEqualTo("stop");
        assertThat(r.promptTokens()).isEqualTo(12);
        assertThat(OpenAiCompatibleProvider.jsonObjectIn(r.content()).path("name").asText()).isEqualTo("Moss Check");
        final JsonNode body = lastBody.get();
        assertThat(body.path("model").asText()).isEqualTo("tiny-model");
        assertThat(body.path("messages").get(1).path("content").asText()).isEqualTo("name it");
        assertThat(body.path("response_format").path("type").asText()).isEqualTo("json_object");
        assertThat(body.path("temperature").asDouble()).isEqualTo(0.3);
        assertThat(lastAuth.get()).isEqualTo("Bearer sk-test");
    }

    @Test
    void toolCallsGoOutAndComeBack() {
        answer = "{\"choices\":[{\"finish_reason\":\"tool_calls\",\"message\":{\"role\":\"assistant\",\"content\":null,"
                + "\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"lot_status\","
                + "\"arguments\":\"{\\\"lot\\\":\\\"L-42\\\"}\"}}]}}]}";
        final LlmProvider p = new OpenAiCompatibleProvider(config());
        final LlmProvider.Response r = p.chat(LlmProvider.Request.of(List.of(LlmProvider.Message.user("where is L-42?")))
                .withTools(List.of(new LlmProvider.Tool("lot_status", "status of a lot",
                        Map.of("type", "object", "properties", Map.of("lot", Map.of("type", "string")))))));
        assertThat(r.content()).isNull();
        assertThat(r.toolCalls()).containsExactly(new LlmProvider.ToolCall("call_1", "lot_status", "{\"lot\":\"L-42\"}"));
        assertThat(lastBody.get().path("tools").get(0).path("function").path("name").asText()).isEqualTo("lot_status");
        assertThat(lastAuth.get()).isNull();
    }

    @Test
    void aToolCallRoundTripSendsTheCallAndItsResultBackAsToolMessages() {
        final List<JsonNode> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        stub.removeContext("/v1/chat/completions");
        stub.createContext("/v1/chat/completions", ex -> {
            final JsonNode req = JSON.readTree(ex.getRequestBody());
            seen.add(req);
            final JsonNode last = req.path("messages").get(req.path("messages").size() - 1);
            // first turn: call the tool; second turn (after the tool's result): answer from it
            final String out = "tool".equals(last.path("role").asText())
                    ? "{\"choices\":[{\"finish_reason\":\"stop\",\"message\":{\"role\":\"assistant\","
                            + "\"content\":\"Lot L-42 is released. [1]\"}}]}"
                    : "{\"choices\":[{\"finish_reason\":\"tool_calls\",\"message\":{\"role\":\"assistant\","
                            + "\"content\":null,\"tool_calls\":[{\"id\":\"call_7\",\"type\":\"function\","
                            + "\"function\":{\"name\":\"lot_status\",\"arguments\":\"{\\\"lot\\\":\\\"L-42\\\"}\"}}]}}]}";
            final byte[] b = out.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        final LlmProvider p = new OpenAiCompatibleProvider(config());
        final List<LlmProvider.Tool> tools = List.of(new LlmProvider.Tool("lot_status", "status of a lot",
                Map.of("type", "object", "properties", Map.of("lot", Map.of("type", "string")))));
        final List<LlmProvider.Message> conv = new java.util.ArrayList<>(List.of(LlmProvider.Message.user("where is L-42?")));
        final LlmProvider.Response first = p.chat(LlmProvider.Request.of(conv).withTools(tools));
        assertThat(first.toolCalls()).containsExactly(new LlmProvider.ToolCall("call_7", "lot_status", "{\"lot\":\"L-42\"}"));
        conv.add(LlmProvider.Message.assistant(first.content(), first.toolCalls()));
        conv.add(LlmProvider.Message.tool("call_7", "[1] lot L-42: released"));
        final LlmProvider.Response second = p.chat(LlmProvider.Request.of(conv).withTools(tools).withToolChoice("none"));
        assertThat(second.content()).isEqualTo("Lot L-42 is released. [1]");
        assertThat(second.toolCalls()).isEmpty();

        final JsonNode sent = seen.get(1);
        assertThat(sent.path("tool_choice").asText()).isEqualTo("none");
        final JsonNode asked = sent.path("messages").get(1);
        assertThat(asked.path("role").asText()).isEqualTo("assistant");
        assertThat(asked.path("content").isNull()).isTrue();
        assertThat(asked.path("tool_calls").get(0).path("id").asText()).isEqualTo("call_7");
        assertThat(asked.path("tool_calls").get(0).path("type").asText()).isEqualTo("function");
        assertThat(asked.path("tool_calls").get(0).path("function").path("name").asText()).isEqualTo("lot_status");
        assertThat(asked.path("tool_calls").get(0).path("function").path("arguments").asText()).isEqualTo("{\"lot\":\"L-42\"}");
        final JsonNode result = sent.path("messages").get(2);
        assertThat(result.path("role").asText()).isEqualTo("tool");
        assertThat(result.path("tool_call_id").asText()).isEqualTo("call_7");
        assertThat(result.path("content").asText()).isEqualTo("[1] lot L-42: released");
        assertThat(seen.get(0).has("tool_choice")).as("no choice asked: the server decides").isFalse();
    }

    @Test
    void malformedRepliesAreRefusedWithWhatIsWrong() {
        final LlmProvider p = new OpenAiCompatibleProvider(config());
        final LlmProvider.Request req = LlmProvider.Request.of(List.of(LlmProvider.Message.user("hi")));
        answer = "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c1\","
                + "\"type\":\"function\",\"function\":{\"arguments\":\"{}\"}}]}}]}";
        assertThatThrownBy(() -> p.chat(req)).isInstanceOf(LlmException.class).hasMessageContaining("tool call 1 names no function");
        answer = "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"tool_calls\":{\"id\":\"c1\"}}}]}";
        assertThatThrownBy(() -> p.chat(req)).isInstanceOf(LlmException.class).hasMessageContaining("tool_calls is not a list");
        answer = "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"tool_calls\":[{\"function\":{\"name\":"
                + "\"lot_status\",\"arguments\":42}}]}}]}";
        assertThatThrownBy(() -> p.chat(req)).isInstanceOf(LlmException.class).hasMessageContaining("neither JSON text nor an object");
        answer = "{\"choices\":[{\"finish_reason\":\"length\",\"message\":{\"role\":\"assistant\",\"content\":null}}]}";
        assertThatThrownBy(() -> p.chat(req)).isInstanceOf(LlmException.class).hasMessageContaining("neither text nor tool calls")
                .hasMessageContaining("length");
        answer = "{\"choices\":[{\"finish_reason\":\"stop\"}]}";
        assertThatThrownBy(() -> p.chat(req)).isInstanceOf(LlmException.class).hasMessageContaining("no message");
        answer = "{\"choices\":[]}";
        assertThatThrownBy(() -> p.chat(req)).isInstanceOf(LlmException.class).hasMessageContaining("no choices");
        answer = "[1, 2]";
        assertThatThrownBy(() -> p.chat(req)).isInstanceOf(LlmException.class).hasMessageContaining("not a JSON object");
        answer = "{\"error\":{\"message\":\"context length exceeded\"}}";
        assertThatThrownBy(() -> p.chat(req)).isInstanceOf(LlmException.class).hasMessageContaining("context length exceeded");
        // tolerated variations: arguments as an object and a missing id (Ollama), content as a list of parts
        answer = "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"a\"},"
                + "{\"type\":\"text\",\"text\":\"b\"}],\"tool_calls\":[{\"function\":{\"name\":\"lot_status\","
                + "\"arguments\":{\"lot\":\"L-1\"}}}]}}]}";
        final LlmProvider.Response r = p.chat(req);
        assertThat(r.content()).isEqualTo("ab");
        assertThat(r.toolCalls()).containsExactly(new LlmProvider.ToolCall("call_1", "lot_status", "{\"lot\":\"L-1\"}"));
        assertThatThrownBy(() -> LlmProvider.Message.tool(null, "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LlmProvider.Message("robot", "x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("robot");
    }

    @Test
    void failuresAreLlmExceptionsWithTheReason() {
        status = 500;
        answer = "{\"error\":{\"message\":\"model not loaded\"}}";
        final LlmProvider p = new OpenAiCompatibleProvider(config());
        assertThatThrownBy(() -> p.chat(LlmProvider.Request.of(List.of(LlmProvider.Message.user("hi")))))
                .isInstanceOf(LlmException.class).hasMessageContaining("HTTP 500").hasMessageContaining("model not loaded");
        status = 200;
        answer = "not json";
        assertThatThrownBy(() -> p.chat(LlmProvider.Request.of(List.of(LlmProvider.Message.user("hi")))))
                .isInstanceOf(LlmException.class).hasMessageContaining("not JSON");
        delayMs = 1500;
        answer = "{}";
        final LlmProvider slow = new OpenAiCompatibleProvider(config().withTimeouts(Duration.ofSeconds(1), Duration.ofMillis(300)));
        assertThatThrownBy(() -> slow.chat(LlmProvider.Request.of(List.of(LlmProvider.Message.user("hi")))))
                .isInstanceOf(LlmException.class).hasMessageContaining("did not answer");
    }

    @Test
    void unconfiguredProviderSaysWhatToSet() {
        assertThat(LlmConfig.fromEnvironment(Map.of())).isNull();
        final LlmConfig c = LlmConfig.fromEnvironment(Map.of("WINNOW_LLM_BASE_URL", "http://127.0.0.1:11434/v1",
                "WINNOW_LLM_MODEL", "llama3.2", "WINNOW_LLM_TIMEOUT_S", "20"));
        assertThat(c.chatCompletionsUri().toString()).isEqualTo("http://127.0.0.1:11434/v1/chat/completions");
        assertThat(c.requestTimeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(LlmProvider.none().available()).isFalse();
        assertThat(LlmProvider.none().describe()).contains("WINNOW_LLM_BASE_URL");
        assertThatThrownBy(() -> LlmProvider.none().chat(LlmProvider.Request.of(List.of()))).isInstanceOf(LlmException.class);
    }
}
