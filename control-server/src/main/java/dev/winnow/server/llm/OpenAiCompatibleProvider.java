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
            final ObjectNode o = msgs.addObject().put("role", m.role());
            if (m.content() == null) {
                o.putNull("content"); // an assistant turn that only called tools
            } else {
                o.put("content", m.content());
            }
            if (!m.toolCalls().isEmpty()) {
                final ArrayNode calls = o.putArray("tool_calls");
                for (final ToolCall c : m.toolCalls()) {
                    calls.addObject().put("id", c.id()).put("type", "function").putObject("function")
                            .put("name", c.name()).put("arguments", c.argumentsJson());
                }
            }
            if (m.toolCallId() != null) {
                o.put("tool_call_id", m.toolCallId());
            }
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
            if (r.toolChoice() != null) {
                b.put("tool_choice", r.toolChoice());
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

    /**
     * Reads a chat-completions answer. Anything that does not follow the protocol is an {@link LlmException}
     * naming what is wrong, never a half-read answer: a tool call without a function name, arguments that are
     * neither text nor an object, a message with neither text nor tool calls.
     */
    static Response parse(final String body) {
        final JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw new LlmException("the language model's answer is not JSON: " + abbreviate(body), e);
        }
        if (root == null || !root.isObject()) {
            throw new LlmException("the language model's answer is not a JSON object: " + abbreviate(body));
        }
        if (root.hasNonNull("error")) {
            // some servers report errors with HTTP 200
            final JsonNode m = root.path("error").path("message");
            throw new LlmException("the language model reported an error: "
                    + (m.isTextual() ? m.asText() : abbreviate(root.path("error").toString())));
        }
        final JsonNode choice = root.path("choices").path(0);
        if (!choice.isObject()) {
            throw new LlmException("the language model's answer has no choices: " + abbreviate(body));
        }
        final JsonNode msg = choice.path("message");
        if (!msg.isObject()) {
            throw new LlmException("the language model's choice has no message: " + abbreviate(body));
        }
        final String content = content(msg.path("content"), body);
        final JsonNode tcs = msg.path("tool_calls");
        if (!tcs.isMissingNode() && !tcs.isNull() && !tcs.isArray()) {
            throw new LlmException("the language model's tool_calls is not a list: " + abbreviate(body));
        }
        final List<ToolCall> calls = new ArrayList<>();
        int i = 0;
        for (final JsonNode tc : tcs) {
            i++;
            final JsonNode fn = tc.path("function");
            final String name = fn.path("name").asText("").strip();
            if (!fn.isObject() || name.isEmpty()) {
                throw new LlmException("the language model's tool call " + i + " names no function: " + abbreviate(body));
            }
            final JsonNode args = fn.path("arguments");
            final String argText;
            if (args.isTextual()) {
                argText = args.asText();
            } else if (args.isObject()) {
                argText = args.toString(); // some servers (Ollama) send the arguments as an object
            } else if (args.isMissingNode() || args.isNull()) {
                argText = "{}";
            } else {
                throw new LlmException("the language model's tool call " + i + " (" + name + ") has arguments that are "
                        + "neither JSON text nor an object: " + abbreviate(args.toString()));
            }
            // a server that omits ids (some do) still gets an answer per call: the id only pairs call and result
            final String id = tc.path("id").isTextual() && !tc.path("id").asText().isBlank() ? tc.path("id").asText()
                    : "call_" + i;
            calls.add(new ToolCall(id, name, argText));
        }
        if (content == null && calls.isEmpty()) {
            throw new LlmException("the language model gave neither text nor tool calls (finish_reason "
                    + choice.path("finish_reason").asText("none") + ")");
        }
        final JsonNode usage = root.path("usage");
        return new Response(content, List.copyOf(calls), root.path("model").asText(null),
                choice.path("finish_reason").asText(null), usage.path("prompt_tokens").asInt(0),
                usage.path("completion_tokens").asInt(0));
    }

    /** Text content: a string, null, or (some servers) a list of {@code {type: text, text}} parts. */
    private static String content(final JsonNode c, final String body) {
        if (c.isMissingNode() || c.isNull()) {
            return null;
        }
        if (c.isTextual()) {
            return c.asText();
        }
        if (c.isArray()) {
            final StringBuilder b = new StringBuilder();
            for (final JsonNode part : c) {
                if (part.path("text").isTextual()) {
                    b.append(part.path("text").asText());
                }
            }
            return b.toString();
        }
        throw new LlmException("the language model's message content is neither text nor a list of parts: "
                + abbreviate(body));
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
