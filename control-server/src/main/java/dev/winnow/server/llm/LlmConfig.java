package dev.winnow.server.llm;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Where an OpenAI-compatible chat-completions endpoint lives (a local Ollama, llama.cpp or vLLM
 * server, or a hosted one) and how long to wait for it.
 *
 * @param baseUrl        e.g. {@code http://127.0.0.1:11434/v1}; {@code /chat/completions} is appended
 * @param model          model name sent with every request
 * @param apiKey         nullable; sent as {@code Authorization: Bearer ...}
 * @param connectTimeout how long to wait for a connection
 * @param requestTimeout how long to wait for a whole answer
 */
public record LlmConfig(URI baseUrl, String model, String apiKey, Duration connectTimeout, Duration requestTimeout) {

    public LlmConfig {
        Objects.requireNonNull(baseUrl, "baseUrl");
        if (!"http".equals(baseUrl.getScheme()) && !"https".equals(baseUrl.getScheme())) {
            throw new IllegalArgumentException("llm base URL '" + baseUrl + "' must start with http:// or https://");
        }
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("llm model must be given");
        }
        if (connectTimeout == null || connectTimeout.isNegative() || connectTimeout.isZero()) {
            connectTimeout = Duration.ofSeconds(5);
        }
        if (requestTimeout == null || requestTimeout.isNegative() || requestTimeout.isZero()) {
            requestTimeout = Duration.ofSeconds(60);
        }
    }

    public static LlmConfig of(final String baseUrl, final String model) {
        return new LlmConfig(URI.create(baseUrl), model, null, null, null);
    }

    public LlmConfig withApiKey(final String key) {
        return new LlmConfig(baseUrl, model, key, connectTimeout, requestTimeout);
    }

    public LlmConfig withTimeouts(final Duration connect, final Duration request) {
        return new LlmConfig(baseUrl, model, apiKey, connect, request);
    }

    /** {@code baseUrl} + {@code /chat/completions}, without doubling slashes. */
    public URI chatCompletionsUri() {
        final String b = baseUrl.toString();
        return URI.create((b.endsWith("/") ? b.substring(0, b.length() - 1) : b) + "/chat/completions");
    }

    /**
     * Reads {@code WINNOW_LLM_BASE_URL}, {@code WINNOW_LLM_MODEL}, {@code WINNOW_LLM_API_KEY},
     * {@code WINNOW_LLM_TIMEOUT_S} (or the system properties {@code winnow.llm.base-url},
     * {@code winnow.llm.model}, {@code winnow.llm.api-key}, {@code winnow.llm.timeout-s}, which win).
     *
     * @return null when no base URL is configured
     */
    public static LlmConfig fromEnvironment(final Map<String, String> env) {
        final String base = pick(env, "winnow.llm.base-url", "WINNOW_LLM_BASE_URL");
        if (base == null) {
            return null;
        }
        final String model = pick(env, "winnow.llm.model", "WINNOW_LLM_MODEL");
        final String key = pick(env, "winnow.llm.api-key", "WINNOW_LLM_API_KEY");
        final String t = pick(env, "winnow.llm.timeout-s", "WINNOW_LLM_TIMEOUT_S");
        Duration timeout = null;
        if (t != null) {
            try {
                timeout = Duration.ofSeconds(Long.parseLong(t.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("WINNOW_LLM_TIMEOUT_S '" + t + "' is not a whole number of seconds");
            }
        }
        return new LlmConfig(URI.create(base.trim()), model == null ? "default" : model.trim(), key, null, timeout);
    }

    private static String pick(final Map<String, String> env, final String prop, final String var) {
        final String p = System.getProperty(prop);
        if (p != null && !p.isBlank()) {
            return p;
        }
        final String v = env.get(var);
        return v == null || v.isBlank() ? null : v;
    }

    @Override
    public String toString() {
        return "LlmConfig[" + baseUrl + ", model=" + model + ", apiKey=" + (apiKey == null ? "none" : "***") + "]";
    }
}
