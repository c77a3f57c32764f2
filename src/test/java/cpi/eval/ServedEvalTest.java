package cpi.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cpi.data.Dataset;
import cpi.eval.FakeOpenAiServer.Fault;
import cpi.util.Json;
import cpi.util.UserError;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** cpi's OpenAI-compatible backend against a real HTTP server on 127.0.0.1 (FakeOpenAiServer). */
class ServedEvalTest {
    static final EvalOptions OPTS = EvalOptions.defaults().withProgress(false).withBootstrap(200).withBatchSize(8);

    static OpenAiConfig config(FakeOpenAiServer s) {
        return OpenAiConfig.of(s.baseUrl(), "fake-model", null).withConcurrency(4)
                .withRetries(3, Duration.ofMillis(5), Duration.ofMillis(40)).withTimeout(Duration.ofMillis(1500));
    }

    @Test
    void exactAccuraciesForContainsNormalizedAndLogprob() throws Exception {
        Dataset ds = Synthetic.dataset(40);
        try (FakeOpenAiServer s = new FakeOpenAiServer(); OpenAiTextModel m = new OpenAiTextModel(config(s))) {
            EvalResult r = new Evaluator().evaluate(m, ds, Templates.get("plain"), "contains", OPTS);
            assertEquals(40, r.n());
            assertEquals(0, r.failed());
            assertEquals(0.6, r.counterfactualAccuracy(), 1e-12);
            assertEquals(0.4, r.parametricAccuracy(), 1e-12);
            assertEquals(0.2, r.otherRate(), 1e-12);
            assertEquals(0.4, r.memorizationRatio(), 1e-12);
            assertTrue(r.cfCiLow() <= 0.6 && r.cfCiHigh() >= 0.6 && r.cfCiHigh() > r.cfCiLow());
            // The server ignores stop strings; the client cuts at "\n" itself.
            assertEquals(" CF0", r.items().get(0).output());
            assertEquals("both", r.items().get(3).label());

            EvalResult lp = new Evaluator().evaluate(m, ds, Templates.get("plain"), "logprob", OPTS);
            assertEquals(0.6, lp.counterfactualAccuracy(), 1e-12);
            assertEquals(0.2, lp.parametricAccuracy(), 1e-12);
            assertEquals(0.2, lp.otherRate(), 1e-12);
            assertEquals(-0.1, lp.items().get(0).cfLogLikelihood(), 1e-12);
            assertEquals(-3.0, lp.items().get(0).parLogLikelihood(), 1e-12);
        }
    }

    @Test
    void chatEndpointUsesMessages() throws Exception {
        try (FakeOpenAiServer s = new FakeOpenAiServer();
             OpenAiTextModel m = new OpenAiTextModel(config(s).withChat(true))) {
            EvalResult r = new Evaluator().evaluate(m, Synthetic.dataset(10), Templates.get("message"), "contains",
                    OPTS);
            assertEquals(0.6, r.counterfactualAccuracy(), 1e-12);
            assertThrows(UserError.class, () -> m.logLikelihood(List.of("a"), List.of(" b")));
        }
    }

    @Test
    void keepsConcurrencyRequestsInFlight() throws Exception {
        try (FakeOpenAiServer s = new FakeOpenAiServer();
             OpenAiTextModel m = new OpenAiTextModel(config(s).withConcurrency(3))) {
            s.delayMs = 100;
            EvalResult r = new Evaluator().evaluate(m, Synthetic.dataset(24), Templates.get("plain"), "contains",
                    OPTS.withBatchSize(12));
            assertEquals(24, r.n());
            assertEquals(3, s.maxInFlight.get(), "exactly --concurrency requests at once");
        }
    }

    @Test
    void retriesThrough500sTimeoutsRateLimitsResetsAndBadJson() throws Exception {
        try (FakeOpenAiServer s = new FakeOpenAiServer(); OpenAiTextModel m = new OpenAiTextModel(config(s))) {
            s.fault(0, Fault.HTTP_500, Fault.HTTP_500)
                    .fault(1, Fault.TIMEOUT)
                    .fault(2, Fault.HTTP_429)
                    .fault(3, Fault.RESET, Fault.TRUNCATED)
                    .fault(4, Fault.MALFORMED)
                    .fault(5, Fault.HTTP_500, Fault.TIMEOUT, Fault.RESET);
            EvalResult r = new Evaluator().evaluate(m, Synthetic.dataset(10), Templates.get("plain"), "contains",
                    OPTS);
            assertEquals(10, r.n(), "every fault was retried through");
            assertEquals(0, r.failed());
            assertEquals(0.6, r.counterfactualAccuracy(), 1e-12);
            assertEquals(3, s.attempts.get(0).get());
            assertEquals(2, s.attempts.get(1).get());
            assertEquals(2, s.attempts.get(2).get());
            assertEquals(3, s.attempts.get(3).get());
            assertEquals(4, s.attempts.get(5).get());
            assertEquals(1, s.attempts.get(6).get());
        }
    }

    @Test
    void itemsWhoseRetriesRunOutAreMarkedFailedAndRetriedOnResume(@TempDir Path out) throws Exception {
        Dataset ds = Synthetic.dataset(20);
        try (FakeOpenAiServer s = new FakeOpenAiServer(); OpenAiTextModel m = new OpenAiTextModel(config(s))) {
            s.fault(7, Fault.HTTP_500, Fault.HTTP_500, Fault.HTTP_500, Fault.HTTP_500);
            s.fault(12, Fault.MALFORMED, Fault.MALFORMED, Fault.MALFORMED, Fault.MALFORMED);
            EvalResult r = new Evaluator().evaluate(m, ds, Templates.get("plain"), "contains", OPTS.withOutDir(out));
            assertEquals(18, r.n());
            assertEquals(2, r.failed());
            ItemResult failed = r.items().get(7);
            assertEquals(ItemResult.FAILED, failed.status());
            assertTrue(failed.error().contains("HTTP 500"), failed.error());
            assertTrue(r.items().get(12).error().contains("malformed"), r.items().get(12).error());
            // Accuracy over the 18 completed items: items 7 and 12 (both parametric) are left out → cf = 12/18.
            assertEquals(12.0 / 18, r.counterfactualAccuracy(), 1e-12);
            assertEquals(6.0 / 18, r.parametricAccuracy(), 1e-12);

            EvalResult again = new Evaluator().evaluate(m, ds, Templates.get("plain"), "contains",
                    OPTS.withOutDir(out));
            assertEquals(20, again.n());
            assertEquals(0, again.failed());
            assertEquals(0.6, again.counterfactualAccuracy(), 1e-12);
            assertEquals(5, s.attempts.get(7).get(), "failed item retried on resume");
            assertEquals(1, s.attempts.get(6).get(), "finished item not redone");
            assertOneRecordPerItem(out.resolve("items.synth.jsonl"), 20);
        }
    }

    @Test
    void serverDyingMidRunThenResumeLosesAndDuplicatesNothing(@TempDir Path out) throws Exception {
        Dataset ds = Synthetic.dataset(60);
        EvalOptions opts = OPTS.withOutDir(out).withBatchSize(4).withMaxFailedBatches(2);
        EvalResult first;
        try (FakeOpenAiServer s = new FakeOpenAiServer();
             OpenAiTextModel m = new OpenAiTextModel(config(s).withRetries(1, Duration.ofMillis(5),
                     Duration.ofMillis(10)))) {
            s.dieAfter = 23;
            first = new Evaluator().evaluate(m, ds, Templates.get("plain"), "contains", opts);
        }
        assertTrue(first.n() >= 20 && first.n() < 60, "some items done before the server died: " + first.n());
        assertEquals(60 - first.n(), first.failed());
        try (FakeOpenAiServer s2 = new FakeOpenAiServer(); OpenAiTextModel m = new OpenAiTextModel(config(s2))) {
            EvalResult r = new Evaluator().evaluate(m, ds, Templates.get("plain"), "contains", opts);
            assertEquals(60, r.n());
            assertEquals(0, r.failed());
            assertEquals(0.6, r.counterfactualAccuracy(), 1e-12);
            assertEquals(60 - first.n(), s2.requests.get(), "only unfinished items were requested again");
        }
        assertOneRecordPerItem(out.resolve("items.synth.jsonl"), 60);
    }

    @Test
    void wrongKeyIsAClearUserErrorWithoutTheKey() throws Exception {
        try (FakeOpenAiServer s = new FakeOpenAiServer();
             OpenAiTextModel m = new OpenAiTextModel(OpenAiConfig.of(s.baseUrl(), "fake-model", "sk-wrong-123"))) {
            s.requiredKey = "sk-right-456";
            UserError e = assertThrows(UserError.class, () -> new Evaluator().evaluate(m, Synthetic.dataset(3),
                    Templates.get("plain"), "contains", OPTS));
            assertTrue(e.getMessage().contains("HTTP 401"), e.getMessage());
            assertFalse(e.getMessage().contains("sk-wrong-123"));
            assertEquals("Bearer sk-wrong-123", s.authHeaders.get(0), "the key is sent in the header");
        }
    }

    @Test
    void unknownModelIs404UserError() throws Exception {
        try (FakeOpenAiServer s = new FakeOpenAiServer()) {
            OpenAiConfig bad = OpenAiConfig.of(s.baseUrl().replace("/v1", "/nope"), "m", null);
            try (OpenAiTextModel m = new OpenAiTextModel(bad)) {
                UserError e = assertThrows(UserError.class, () -> m.generate(List.of("item 1"),
                        cpi.model.GenerationOptions.greedy(4, List.of())));
                assertTrue(e.getMessage().contains("404"), e.getMessage());
            }
        }
    }

    @Test
    void badConfigIsAUserError() {
        assertThrows(UserError.class, () -> OpenAiConfig.of(null, "m", null));
        assertThrows(UserError.class, () -> OpenAiConfig.of("localhost:8000", "m", null));
        assertThrows(UserError.class, () -> OpenAiConfig.of("http://localhost:8000", " ", null));
        assertEquals("http://h:1/v1/completions", OpenAiConfig.of("http://h:1", "m", null).endpoint(false).toString());
        assertEquals("http://h:1/v1/chat/completions",
                OpenAiConfig.of("http://h:1/v1/", "m", null).endpoint(true).toString());
        assertFalse(OpenAiConfig.of("http://h:1", "m", "sk-secret").toString().contains("sk-secret"));
    }

    static void assertOneRecordPerItem(Path file, int n) throws Exception {
        Map<String, Integer> counts = new HashMap<>();
        for (String line : Files.readAllLines(file)) {
            JsonNode o = Json.MAPPER.readTree(line);
            counts.merge(o.get("id").asText(), 1, Integer::sum);
            assertEquals("ok", o.get("status").asText());
        }
        assertEquals(n, counts.size());
        assertTrue(counts.values().stream().allMatch(c -> c == 1), "no item written twice: " + counts);
    }
}
