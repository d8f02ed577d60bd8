package dev.winnow.server.llm;

import java.util.List;
import java.util.Map;

/**
 * One chat-completions provider shared by the design lab and the customer desk. Generated text is
 * always a draft a person approves; callers must work without a provider ({@link #none()}).
 */
public interface LlmProvider {

    /**
     * A message in a chat: role is system, user, assistant or tool. An assistant message may carry the tool
     * calls the model made ({@code toolCalls}); a tool message answers one of them ({@code toolCallId}).
     */
    record Message(String role, String content, List<ToolCall> toolCalls, String toolCallId) {
        public Message {
            if (role == null || !role.matches("system|user|assistant|tool")) {
                throw new IllegalArgumentException("message role must be system, user, assistant or tool, not " + role);
            }
            toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
            if (!toolCalls.isEmpty() && !"assistant".equals(role)) {
                throw new IllegalArgumentException("only an assistant message carries tool calls");
            }
            if ("tool".equals(role) && (toolCallId == null || toolCallId.isBlank())) {
                throw new IllegalArgumentException("a tool message must name the tool call it answers");
            }
        }

        public Message(final String role, final String content) {
            this(role, content, List.of(), null);
        }

        public static Message system(final String text) {
            return new Message("system", text);
        }

        public static Message user(final String text) {
            return new Message("user", text);
        }

        public static Message assistant(final String text) {
            return new Message("assistant", text);
        }

        /** The model's own turn in which it called tools, sent back so the conversation is whole. */
        public static Message assistant(final String text, final List<ToolCall> calls) {
            return new Message("assistant", text, calls, null);
        }

        /** The result of the tool call {@code callId}. */
        public static Message tool(final String callId, final String result) {
            return new Message("tool", result, List.of(), callId);
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
     * @param toolChoice  nullable (the server decides), or auto, none, required
     */
    record Request(List<Message> messages, double temperature, int maxTokens, boolean json, List<Tool> tools,
                   String toolChoice) {
        public Request {
            messages = List.copyOf(messages);
            tools = tools == null ? List.of() : List.copyOf(tools);
            if (toolChoice != null && !toolChoice.matches("auto|none|required")) {
                throw new IllegalArgumentException("tool_choice must be auto, none or required, not " + toolChoice);
            }
        }

        public Request(final List<Message> messages, final double temperature, final int maxTokens, final boolean json,
                       final List<Tool> tools) {
            this(messages, temperature, maxTokens, json, tools, null);
        }

        public static Request of(final List<Message> messages) {
            return new Request(messages, 0.7, 0, false, List.of(), null);
        }

        public Request asJson() {
            return new Request(messages, temperature, maxTokens, true, tools, toolChoice);
        }

        public Request withTools(final List<Tool> t) {
            return new Request(messages, temperature, maxTokens, json, t, toolChoice);
        }

        /** {@code none} keeps the tools described (the conversation refers to them) but asks for text. */
        public Request withToolChoice(final String choice) {
            return new Request(messages, temperature, maxTokens, json, tools, choice);
        }

        public Request withTemperature(final double t) {
            return new Request(messages, t, maxTokens, json, tools, toolChoice);
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
