package cpi.eval;

import cpi.util.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real OpenAI-compatible HTTP server on 127.0.0.1 answering by {@link Synthetic}'s pattern, with faults
 * injected per item and attempt: item N's k-th request gets faults.get(N).get(k) if present.
 */
final class FakeOpenAiServer implements AutoCloseable {
    enum Fault { HTTP_500, HTTP_429, TIMEOUT, RESET, TRUNCATED, MALFORMED, HTTP_401 }

    private static final Pattern TOKEN = Pattern.compile("\\s*\\S+");

    final HttpServer server;
    private final ExecutorService pool = Executors.newFixedThreadPool(24);
    final Map<Integer, List<Fault>> faults = new ConcurrentHashMap<>();
    final Map<Integer, AtomicInteger> attempts = new ConcurrentHashMap<>();
    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger maxInFlight = new AtomicInteger();
    final List<String> authHeaders = java.util.Collections.synchronizedList(new ArrayList<>());
    volatile String requiredKey;
    volatile long delayMs;
    /** Stop (die) after this many answered requests; -1 = never. */
    volatile int dieAfter = -1;
    private final AtomicInteger answered = new AtomicInteger();
    volatile boolean dead;

    FakeOpenAiServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setExecutor(pool);
        server.createContext("/v1/completions", ex -> handle(ex, false));
        server.createContext("/v1/chat/completions", ex -> handle(ex, true));
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    FakeOpenAiServer fault(int item, Fault... fs) {
        faults.put(item, List.of(fs));
        return this;
    }

    private void handle(HttpExchange ex, boolean chat) throws IOException {
        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        requests.incrementAndGet();
        try {
            if (dead) {
                ex.close();
                return;
            }
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            authHeaders.add(String.valueOf(auth));
            JsonNode req = Json.MAPPER.readTree(ex.getRequestBody().readAllBytes());
            String prompt = chat ? req.path("messages").path(0).path("content").asText() : req.path("prompt").asText();
            if (requiredKey != null && !("Bearer " + requiredKey).equals(auth)) {
                send(ex, 401, "{\"error\":{\"message\":\"Incorrect API key provided: " + auth + "\"}}");
                return;
            }
            int n = Synthetic.itemOf(prompt);
            int k = attempts.computeIfAbsent(n, x -> new AtomicInteger()).getAndIncrement();
            List<Fault> fs = faults.get(n);
            Fault f = fs != null && k < fs.size() ? fs.get(k) : null;
            if (f != null) {
                switch (f) {
                    case HTTP_500 -> send(ex, 500, "{\"error\":{\"message\":\"internal error; request had "
                            + "Authorization: " + auth + "\"}}");
                    case HTTP_429 -> {
                        ex.getResponseHeaders().add("Retry-After", "1");
                        send(ex, 429, "{\"error\":{\"message\":\"rate limited\"}}");
                    }
                    case TIMEOUT -> {
                        sleep(4000);
                        send(ex, 200, reply(chat, req, prompt, n));
                    }
                    case RESET -> ex.close();
                    case TRUNCATED -> {
                        String full = reply(chat, req, prompt, n);
                        byte[] half = full.substring(0, full.length() / 2).getBytes(StandardCharsets.UTF_8);
                        ex.sendResponseHeaders(200, half.length);
                        try (OutputStream o = ex.getResponseBody()) {
                            o.write(half);
                        }
                    }
                    case MALFORMED -> send(ex, 200, "<html>502 Bad Gateway</html>");
                    case HTTP_401 -> send(ex, 401, "{\"error\":{\"message\":\"bad key\"}}");
                }
                return;
            }
            if (delayMs > 0) {
                sleep(delayMs);
            }
            send(ex, 200, reply(chat, req, prompt, n));
            if (dieAfter >= 0 && answered.incrementAndGet() >= dieAfter) {
                dead = true;
                new Thread(() -> server.stop(0)).start();
            }
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private static String reply(boolean chat, JsonNode req, String prompt, int n) {
        ObjectNode r = Json.object();
        r.put("id", "cmpl-1");
        r.put("object", chat ? "chat.completion" : "text_completion");
        ArrayNode choices = r.putArray("choices");
        ObjectNode c = choices.addObject();
        c.put("index", 0);
        if (req.path("echo").asBoolean(false)) {
            // Echo the prompt as whitespace-led tokens with offsets, plus one generated token.
            ObjectNode lp = c.putObject("logprobs");
            ArrayNode tokens = lp.putArray("tokens");
            ArrayNode logprobs = lp.putArray("token_logprobs");
            ArrayNode offsets = lp.putArray("text_offset");
            Matcher m = TOKEN.matcher(prompt);
            boolean first = true;
            while (m.find()) {
                tokens.add(m.group());
                offsets.add(m.start());
                if (first) {
                    logprobs.addNull();
                    first = false;
                } else {
                    logprobs.add(Synthetic.tokenLogprob(n, m.group()));
                }
            }
            tokens.add(" x");
            offsets.add(prompt.length());
            logprobs.add(-5.0);
            c.put("text", prompt + " x");
        } else if (chat) {
            c.putObject("message").put("role", "assistant").put("content", Synthetic.answer(n).strip());
        } else {
            c.put("text", Synthetic.answer(n) + "\nQ: next");
        }
        c.put("finish_reason", "stop");
        return Json.write(r);
    }

    private static void send(HttpExchange ex, int code, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(code, b.length);
        try (OutputStream o = ex.getResponseBody()) {
            o.write(b);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
