package cpi.eval;

import cpi.model.GenerationOptions;
import cpi.model.TextModel;
import cpi.util.Json;
import cpi.util.UserError;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A model served by an OpenAI-compatible HTTP server. Requests run {@code concurrency} at a time; each is
 * retried with exponential backoff on 429 (honouring Retry-After), 5xx, timeouts, connection errors and
 * malformed replies. A request whose retries run out fails only its own item ({@link PartialFailure});
 * 401/403/404/400 are configuration problems and stop the run with a UserError. The API key goes only into
 * the Authorization header: every message is passed through {@link #redact}.
 */
public final class OpenAiTextModel implements TextModel {
    private final OpenAiConfig cfg;
    private final HttpClient http;
    private final ExecutorService pool;

    public OpenAiTextModel(OpenAiConfig cfg) {
        this.cfg = cfg;
        this.pool = Executors.newFixedThreadPool(cfg.concurrency(), r -> {
            Thread t = new Thread(r, "cpi-openai");
            t.setDaemon(true);
            return t;
        });
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(cfg.timeout()).build();
    }

    @Override
    public String fingerprint() {
        return "served:" + cfg.modelName();
    }

    @Override
    public List<String> generate(List<String> prompts, GenerationOptions options) {
        List<String> stop = options.stop().size() > 4 ? options.stop().subList(0, 4) : options.stop();
        Object[] outs = runAll(prompts.size(), i -> {
            ObjectNode body = Json.object();
            body.put("model", cfg.modelName());
            if (cfg.chat()) {
                body.putArray("messages").addObject().put("role", "user").put("content", prompts.get(i));
            } else {
                body.put("prompt", prompts.get(i));
            }
            body.put("max_tokens", options.maxNewTokens());
            body.put("temperature", options.temperature());
            if (options.topP() < 1) {
                body.put("top_p", options.topP());
            }
            if (options.temperature() > 0) {
                body.put("seed", options.seed());
            }
            if (!stop.isEmpty()) {
                ArrayNode s = body.putArray("stop");
                stop.forEach(s::add);
            }
            JsonNode reply = post(cfg.chat(), body);
            JsonNode choice = reply.path("choices").path(0);
            JsonNode text = cfg.chat() ? choice.path("message").path("content") : choice.path("text");
            if (!text.isTextual()) {
                throw new Retryable("malformed reply from the server: no choices[0]."
                        + (cfg.chat() ? "message.content" : "text"));
            }
            return cutAtStop(text.asText(), options.stop());
        });
        List<String> out = new ArrayList<>(outs.length);
        for (Object o : outs) {
            out.add((String) o);
        }
        return out;
    }

    @Override
    public double[] logLikelihood(List<String> prompts, List<String> continuations) {
        if (cfg.chat()) {
            throw new UserError("the logprob scorer needs /v1/completions with echo and logprobs; drop --chat or "
                    + "use --scorer contains");
        }
        Object[] boxed = runAll(prompts.size(), i -> {
            String p = prompts.get(i);
            String c = continuations.get(i);
            ObjectNode body = Json.object();
            body.put("model", cfg.modelName());
            body.put("prompt", p + c);
            body.put("max_tokens", 1);
            body.put("temperature", 0.0);
            body.put("echo", true);
            body.put("logprobs", 1);
            JsonNode lp = post(false, body).path("choices").path(0).path("logprobs");
            JsonNode offsets = lp.path("text_offset");
            JsonNode logprobs = lp.path("token_logprobs");
            if (lp.isMissingNode() || lp.isNull()) {
                throw new UserError("the server at " + cfg.endpoint(false) + " returned no logprobs for an echo "
                        + "request; it does not support the logprob scorer (use --scorer contains)");
            }
            if (!offsets.isArray() || !logprobs.isArray() || offsets.size() != logprobs.size()) {
                throw new Retryable("malformed reply from the server: logprobs.text_offset/token_logprobs missing");
            }
            // Echo returns prompt + continuation + one generated token; sum the continuation's tokens only.
            int from = p.length();
            int to = p.length() + c.length();
            double sum = 0;
            boolean any = false;
            for (int k = 0; k < offsets.size(); k++) {
                int off = offsets.get(k).asInt(-1);
                if (off >= from && off < to) {
                    JsonNode v = logprobs.get(k);
                    if (!v.isNumber()) {
                        throw new Retryable("malformed reply from the server: token_logprobs[" + k + "] is not a number");
                    }
                    sum += v.asDouble();
                    any = true;
                }
            }
            if (!any && !c.isEmpty()) {
                throw new UserError("the server's echo did not return the continuation's tokens (text_offset); "
                        + "it does not support the logprob scorer (use --scorer contains)");
            }
            return sum;
        });
        double[] out = new double[boxed.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = boxed[i] == null ? Double.NaN : (Double) boxed[i];
        }
        return out;
    }

    /** Runs n requests on the pool; all ok → results; some failed → PartialFailure; a UserError → rethrown. */
    private Object[] runAll(int n, Request<Object> request) {
        List<Future<Object>> futures = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int idx = i;
            futures.add(pool.submit(() -> withRetries(() -> request.call(idx))));
        }
        Object[] out = new Object[n];
        String[] errors = new String[n];
        UserError fatal = null;
        for (int i = 0; i < n; i++) {
            try {
                out[i] = futures.get(i).get();
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof UserError u) {
                    fatal = fatal == null ? u : fatal;
                } else {
                    errors[i] = redact(c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                futures.forEach(f -> f.cancel(true));
                throw new IllegalStateException("interrupted");
            }
        }
        if (fatal != null) {
            throw fatal;
        }
        if (Arrays.stream(errors).anyMatch(e -> e != null)) {
            List<String> outs = new ArrayList<>();
            double[] lls = new double[n];
            for (int i = 0; i < n; i++) {
                outs.add(out[i] instanceof String s ? s : null);
                lls[i] = out[i] instanceof Double d ? d : Double.NaN;
            }
            throw new PartialFailure(outs, lls, Arrays.asList(errors));
        }
        return out;
    }

    @FunctionalInterface
    private interface Request<T> {
        T call(int index) throws IOException, InterruptedException;
    }

    @FunctionalInterface
    private interface Attempt {
        Object call() throws IOException, InterruptedException;
    }

    private Object withRetries(Attempt attempt) throws InterruptedException {
        String last = null;
        for (int k = 0; k <= cfg.maxRetries(); k++) {
            long waitMs;
            try {
                return attempt.call();
            } catch (RetryAfter e) {
                last = e.getMessage();
                waitMs = e.millis >= 0 ? e.millis : backoff(k);
            } catch (Retryable e) {
                last = e.getMessage();
                waitMs = backoff(k);
            } catch (HttpTimeoutException e) {
                last = "timed out after " + cfg.timeout().toMillis() + " ms";
                waitMs = backoff(k);
            } catch (IOException e) {
                last = "connection error: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
                waitMs = backoff(k);
            }
            if (k < cfg.maxRetries()) {
                Thread.sleep(waitMs);
            }
        }
        throw new Retryable("gave up after " + (cfg.maxRetries() + 1) + " attempts: " + last);
    }

    private long backoff(int attempt) {
        long base = cfg.backoff().toMillis() << Math.min(attempt, 20);
        long capped = Math.min(base, cfg.maxBackoff().toMillis());
        return capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
    }

    private JsonNode post(boolean chatEndpoint, ObjectNode body) throws IOException, InterruptedException {
        URI uri = cfg.endpoint(chatEndpoint);
        HttpRequest.Builder rb = HttpRequest.newBuilder(uri).timeout(cfg.timeout())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(body), StandardCharsets.UTF_8));
        if (cfg.apiKey() != null && !cfg.apiKey().isBlank()) {
            rb.header("Authorization", "Bearer " + cfg.apiKey());
        }
        HttpResponse<String> resp = http.send(rb.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        int code = resp.statusCode();
        if (code == 200) {
            try {
                JsonNode n = Json.MAPPER.readTree(resp.body());
                if (n == null || !n.isObject()) {
                    throw new Retryable("malformed JSON from the server (not an object)");
                }
                return n;
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new Retryable("malformed JSON from the server (" + shorten(e.getOriginalMessage()) + ")");
            }
        }
        String detail = redact(shorten(errorMessage(resp.body())));
        if (code == 429 || code == 503) {
            throw new RetryAfter("HTTP " + code + " from " + uri + (detail.isEmpty() ? "" : ": " + detail),
                    retryAfterMillis(resp));
        }
        if (code >= 500 || code == 408) {
            throw new Retryable("HTTP " + code + " from " + uri + (detail.isEmpty() ? "" : ": " + detail));
        }
        if (code == 401 || code == 403) {
            throw new UserError("the server at " + uri + " refused the request (HTTP " + code + "): check the API key "
                    + "(OPENAI_API_KEY or --api-key)");
        }
        if (code == 404) {
            throw new UserError("HTTP 404 from " + uri + ": unknown model '" + cfg.modelName() + "' or endpoint "
                    + "(check --base-url and --model-name)" + (detail.isEmpty() ? "" : "; server says: " + detail));
        }
        throw new UserError("HTTP " + code + " from " + uri + (detail.isEmpty() ? "" : ": " + detail)
                + " (check --model-name, --chat and the server's limits)");
    }

    private long retryAfterMillis(HttpResponse<String> resp) {
        return resp.headers().firstValue("Retry-After").map(v -> {
            try {
                double s = Double.parseDouble(v.strip());
                return (long) Math.min(Math.max(0, s) * 1000, 60_000);
            } catch (NumberFormatException e) {
                return -1L;
            }
        }).orElse(-1L);
    }

    private static String errorMessage(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        try {
            JsonNode n = Json.MAPPER.readTree(body);
            JsonNode m = n.path("error").path("message");
            if (m.isTextual()) {
                return m.asText();
            }
            if (n.path("message").isTextual()) {
                return n.path("message").asText();
            }
        } catch (IOException e) {
            // not JSON: use the raw text
        }
        return body;
    }

    /** The text with the API key (if any) replaced by ***. */
    public String redact(String s) {
        if (s == null) {
            return null;
        }
        String k = cfg.apiKey();
        return k == null || k.isBlank() ? s : s.replace(k, "***");
    }

    static String cutAtStop(String text, List<String> stops) {
        int cut = text.length();
        for (String s : stops) {
            if (s.isEmpty()) {
                continue;
            }
            int at = text.indexOf(s);
            if (at >= 0 && at < cut) {
                cut = at;
            }
        }
        return text.substring(0, cut);
    }

    private static String shorten(String s) {
        if (s == null) {
            return "";
        }
        String one = s.replaceAll("\\s+", " ").strip();
        return one.length() > 200 ? one.substring(0, 200) + "…" : one;
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }

    /** A failure worth retrying. */
    static class Retryable extends RuntimeException {
        Retryable(String m) {
            super(m);
        }
    }

    /** 429/503: retry after the server's Retry-After (ms; -1 = use backoff). */
    static final class RetryAfter extends Retryable {
        final long millis;

        RetryAfter(String m, long millis) {
            super(m);
            this.millis = millis;
        }
    }
}
