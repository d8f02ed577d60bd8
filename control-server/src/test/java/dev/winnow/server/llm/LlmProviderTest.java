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
