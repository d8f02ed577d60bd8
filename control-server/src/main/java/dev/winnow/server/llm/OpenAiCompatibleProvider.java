package dev.winnow.server.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Speaks the OpenAI chat-completions protocol ({@code POST {base}/chat/completions}) to any
 * compatible server. Thread-safe.
 */
public final class OpenAiCompatibleProvider implements LlmProvider {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final LlmConfig config;
    private final HttpClient http;

    public OpenAiCompatibleProvider(final LlmConfig config) {
        this.config = config;
        this.http = HttpClient.newBuilder().connectTimeout(config.connectTimeout())
                .version(HttpClient.Version.HTTP_1_1).build();
    }

    public LlmConfig config() {
        return config;
    }

    @Override
    public boolean available() {
        return true;
    }

    @Override
    public String describe() {
        return "model " + config.model() + " at " + config.baseUrl();
    }

    /** The request body this provider sends; public for tests and logs. */
    public ObjectNode body(final Request r) {
        final ObjectNode b = JSON.createObjectNode();
        b.put("model", config.model());
        final ArrayNode msgs = b.putArray("messages");
        for (final Message m : r.messages()) {
            msgs.addObject().put("role", m.role()).put("content", m.content());
        }
        b.put("temperature", r.temperature());
        if (r.maxTokens() > 0) {
            b.put("max_tokens", r.maxTokens());
        }
        if (r.json()) {
            b.putObject("response_format").put("type", "json_object");
        }
        if (!r.tools().isEmpty()) {
            final ArrayNode tools = b.putArray("tools");
            for (final Tool t : r.tools()) {
                final ObjectNode fn = tools.addObject().put("type", "function").putObject("function");
                fn.put("name", t.name()).put("description", t.description());
                fn.set("parameters", JSON.valueToTree(t.parameters()));
            }
        }
        b.put("stream", false);
        return b;
    }

    @Override
    public Response chat(final Request r) {
        final HttpRequest.Builder req = HttpRequest.newBuilder(config.chatCompletionsUri())
                .timeout(config.requestTimeout())
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body(r).toString(), StandardCharsets.UTF_8));
        if (config.apiKey() != null && !config.apiKey().isBlank()) {
            req.header("Authorization", "Bearer " + config.apiKey());
        }
        final HttpResponse<String> resp;
        try {
            resp = http.send(req.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpTimeoutException e) {
            throw new LlmException("the language model at " + config.baseUrl() + " did not answer within "
                    + config.requestTimeout().toSeconds() + " s", e);
        } catch (IOException e) {
            throw new LlmException("cannot reach the language model at " + config.baseUrl() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LlmException("interrupted while waiting for the language model", e);
        }
        if (resp.statusCode() / 100 != 2) {
            throw new LlmException("the language model answered HTTP " + resp.statusCode() + ": "
                    + errorText(resp.body()));
        }
        return parse(resp.body());
    }

    static Response parse(final String body) {
        final JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw new LlmException("the language model's answer is not JSON: " + abbreviate(body), e);
        }
        final JsonNode choice = root.path("choices").path(0);
        if (choice.isMissingNode()) {
            throw new LlmException("the language model's answer has no choices: " + abbreviate(body));
        }
        final JsonNode msg = choice.path("message");
        final String content = msg.path("content").isTextual() ? msg.path("content").asText() : null;
        final List<ToolCall> calls = new ArrayList<>();
        for (final JsonNode tc : msg.path("tool_calls")) {
            final JsonNode fn = tc.path("function");
            final JsonNode args = fn.path("arguments");
            calls.add(new ToolCall(tc.path("id").asText(null), fn.path("name").asText(),
                    args.isTextual() ? args.asText() : args.toString()));
        }
        final JsonNode usage = root.path("usage");
        return new Response(content, List.copyOf(calls), root.path("model").asText(null),
                choice.path("finish_reason").asText(null), usage.path("prompt_tokens").asInt(0),
                usage.path("completion_tokens").asInt(0));
    }

    /**
     * The JSON object in a model's text answer: the whole text, or the part between the first
     * {@code {} and the last {@code }} (models like to wrap JSON in prose or code fences).
     */
    public static JsonNode jsonObjectIn(final String content) {
        if (content == null) {
            throw new LlmException("the language model gave no text");
        }
        final int a = content.indexOf('{');
        final int b = content.lastIndexOf('}');
        if (a < 0 || b <= a) {
            throw new LlmException("the language model's answer holds no JSON object: " + abbreviate(content));
        }
        try {
            return JSON.readTree(content.substring(a, b + 1));
        } catch (IOException e) {
            throw new LlmException("the language model's JSON does not parse: " + abbreviate(content), e);
        }
    }

    private static String errorText(final String body) {
        try {
            final JsonNode n = JSON.readTree(body);
            final JsonNode m = n.path("error").path("message");
            if (m.isTextual()) {
                return m.asText();
            }
        } catch (IOException | RuntimeException ignored) {
            // not JSON: show the text
        }
        return abbreviate(body);
    }

    private static String abbreviate(final String s) {
        if (s == null) {
            return "";
        }
        return s.length() <= 200 ? s : s.substring(0, 197) + "...";
    }
}
