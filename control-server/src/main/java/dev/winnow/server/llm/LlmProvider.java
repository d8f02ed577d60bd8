package dev.winnow.server.llm;

import java.util.List;
import java.util.Map;

/**
 * One chat-completions provider shared by the design lab and the customer desk. Generated text is
 * always a draft a person approves; callers must work without a provider ({@link #none()}).
 */
public interface LlmProvider {

    /** A message in a chat: role is system, user, assistant or tool. */
    record Message(String role, String content) {
        public static Message system(final String text) {
            return new Message("system", text);
        }

        public static Message user(final String text) {
            return new Message("user", text);
        }

        public static Message assistant(final String text) {
            return new Message("assistant", text);
        }
    }

    /** A function the model may call: name, description and a JSON-schema of its parameters. */
    record Tool(String name, String description, Map<String, Object> parameters) {
    }

    /** A call the model asked for; {@code argumentsJson} is the raw JSON text it produced. */
    record ToolCall(String id, String name, String argumentsJson) {
    }

    /**
     * @param messages    the conversation
     * @param temperature 0..2
     * @param maxTokens   0 for the server's default
     * @param json        ask for a JSON object answer ({@code response_format: json_object})
     * @param tools       nullable or empty: no tools offered
     */
    record Request(List<Message> messages, double temperature, int maxTokens, boolean json, List<Tool> tools) {
        public Request {
            messages = List.copyOf(messages);
            tools = tools == null ? List.of() : List.copyOf(tools);
        }

        public static Request of(final List<Message> messages) {
            return new Request(messages, 0.7, 0, false, List.of());
        }

        public Request asJson() {
            return new Request(messages, temperature, maxTokens, true, tools);
        }

        public Request withTools(final List<Tool> t) {
            return new Request(messages, temperature, maxTokens, json, t);
        }

        public Request withTemperature(final double t) {
            return new Request(messages, t, maxTokens, json, tools);
        }
    }

    /**
     * @param content      nullable when the model only called tools
     * @param toolCalls    possibly empty
     * @param finishReason e.g. stop, length, tool_calls
     */
    record Response(String content, List<ToolCall> toolCalls, String model, String finishReason, int promptTokens,
                    int completionTokens) {
    }

    /** False for the stand-in used when nothing is configured. */
    boolean available();

    /** For people: which endpoint and model, or why there is none. */
    String describe();

    /** Sends one chat-completions request. Throws {@link LlmException} on any failure. */
    Response chat(Request request);

    /** The provider when none is configured: not available, every call fails. */
    static LlmProvider none() {
        return NoProvider.INSTANCE;
    }

    /** An OpenAI-compatible provider from the environment (see {@link LlmConfig#fromEnvironment}), else none. */
    static LlmProvider fromEnvironment() {
        final LlmConfig c = LlmConfig.fromEnvironment(System.getenv());
        return c == null ? none() : new OpenAiCompatibleProvider(c);
    }

    /** The unconfigured provider. */
    enum NoProvider implements LlmProvider {
        INSTANCE;

        @Override
        public boolean available() {
            return false;
        }

        @Override
        public String describe() {
            return "no language model configured (set WINNOW_LLM_BASE_URL and WINNOW_LLM_MODEL to an "
                    + "OpenAI-compatible endpoint, e.g. a local Ollama at http://127.0.0.1:11434/v1)";
        }

        @Override
        public Response chat(final Request request) {
            throw new LlmException(describe());
        }
    }
}
