package cpi.eval;

import cpi.util.UserError;
import java.net.URI;
import java.time.Duration;

/**
 * How to reach an OpenAI-compatible server (vLLM, llama.cpp server, TGI, OpenAI). apiKey is never logged,
 * written, or put in an error message; {@link #toString()} hides it.
 *
 * @param baseUrl     e.g. http://localhost:8000/v1 (a missing /v1 is added)
 * @param chat        use /v1/chat/completions (the server applies its chat template) instead of /v1/completions
 * @param concurrency requests in flight at once
 * @param maxRetries  retries per request after 429, 5xx, timeouts, connection errors and malformed replies
 * @param timeout     per-request timeout
 * @param backoff     first retry delay (doubles per retry, with jitter, up to maxBackoff); Retry-After wins
 */
public record OpenAiConfig(String baseUrl, String modelName, String apiKey, boolean chat, int concurrency,
                           int maxRetries, Duration timeout, Duration backoff, Duration maxBackoff) {

    public OpenAiConfig {
        if (baseUrl == null || baseUrl.isBlank()) {
            throw new UserError("no server URL: pass --base-url (e.g. http://localhost:8000/v1) or set "
                    + "OPENAI_BASE_URL");
        }
        try {
            URI u = URI.create(baseUrl.strip());
            if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https"))
                    || u.getHost() == null) {
                throw new IllegalArgumentException();
            }
        } catch (IllegalArgumentException e) {
            throw new UserError("--base-url '" + baseUrl + "' is not an http(s) URL (e.g. http://localhost:8000/v1)");
        }
        if (modelName == null || modelName.isBlank()) {
            throw new UserError("no served model name: pass --model-name (the name the server lists at /v1/models)");
        }
        if (concurrency < 1 || maxRetries < 0) {
            throw new UserError("--concurrency must be >= 1 and --retries >= 0");
        }
    }

    public static OpenAiConfig of(String baseUrl, String modelName, String apiKey) {
        return new OpenAiConfig(baseUrl, modelName, apiKey, false, 4, 4, Duration.ofSeconds(120),
                Duration.ofMillis(500), Duration.ofSeconds(30));
    }

    public OpenAiConfig withChat(boolean v) {
        return new OpenAiConfig(baseUrl, modelName, apiKey, v, concurrency, maxRetries, timeout, backoff, maxBackoff);
    }

    public OpenAiConfig withConcurrency(int v) {
        return new OpenAiConfig(baseUrl, modelName, apiKey, chat, v, maxRetries, timeout, backoff, maxBackoff);
    }

    public OpenAiConfig withRetries(int v, Duration first, Duration max) {
        return new OpenAiConfig(baseUrl, modelName, apiKey, chat, concurrency, v, timeout, first, max);
    }

    public OpenAiConfig withTimeout(Duration v) {
        return new OpenAiConfig(baseUrl, modelName, apiKey, chat, concurrency, maxRetries, v, backoff, maxBackoff);
    }

    /** base URL + "/completions" or "/chat/completions", adding "/v1" when the base lacks it. */
    public URI endpoint(boolean chatEndpoint) {
        String b = baseUrl.strip().replaceAll("/+$", "");
        if (!b.endsWith("/v1")) {
            b = b + "/v1";
        }
        return URI.create(b + (chatEndpoint ? "/chat/completions" : "/completions"));
    }

    @Override
    public String toString() {
        return "OpenAiConfig[baseUrl=" + baseUrl + ", model=" + modelName + ", apiKey=" + (apiKey == null ? "none"
                : "***") + ", chat=" + chat + ", concurrency=" + concurrency + ", retries=" + maxRetries + "]";
    }
}
