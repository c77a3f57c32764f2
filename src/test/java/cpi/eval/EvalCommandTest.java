package cpi.eval;

import static cpi.cli.CliRun.cpi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cpi.cli.CliRun.Output;
import cpi.eval.FakeOpenAiServer.Fault;
import cpi.util.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** cpi eval and cpi data validate through the CLI, against the fake server. */
class EvalCommandTest {
    static final String KEY = "sk-cpi-test-7f3a9c1e5b";

    static List<String> served(FakeOpenAiServer s, Path data, Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("eval", "--base-url", s.baseUrl(), "--model-name", "fake-model",
                "--api-key", KEY, "--dataset", data.toString(), "--out", out.toString(), "--retries", "2",
                "--timeout", "1.5", "--bootstrap", "200", "--concurrency", "3"));
        a.addAll(List.of(extra));
        return a;
    }

    @Test
    void servedEvalWritesSummaryItemsAndTableResumesAndNeverLeaksTheKey(@TempDir Path tmp) throws Exception {
        Path data = Synthetic.writeJsonl(tmp.resolve("synth.jsonl"), 30);
        Path out = tmp.resolve("out");
        StringBuilder printed = new StringBuilder();
        try (FakeOpenAiServer s = new FakeOpenAiServer()) {
            s.requiredKey = KEY;
            // Item 4 fails every attempt with a 500 whose body echoes the Authorization header (with the key).
            s.fault(4, Fault.HTTP_500, Fault.HTTP_500, Fault.HTTP_500)
                    .fault(9, Fault.HTTP_429).fault(11, Fault.TIMEOUT).fault(13, Fault.RESET).fault(17, Fault.TRUNCATED);
            Output o = cpi(served(s, data, out, "--quiet").toArray(String[]::new));
            printed.append(o.out()).append(o.err());
            assertEquals(0, o.code(), o.err());
            assertTrue(o.out().contains("cf acc") && o.out().contains("synth"), o.out());
            assertTrue(o.err().contains("1 item(s) have no result"), o.err());
            JsonNode sum = Json.read(out.resolve("summary.json"));
            JsonNode d = sum.path("datasets").path("synth");
            assertEquals(29, d.path("n").asInt());
            assertEquals(1, d.path("failed").asInt());
            assertEquals(18.0 / 29, d.path("counterfactual_accuracy").asDouble(), 1e-12);
            assertEquals(2, d.path("counterfactual_ci").size());
            assertTrue(d.has("parametric_ci") && d.has("memorization_ratio") && d.has("other_rate"));
            assertEquals(2, d.path("strata").size());
            JsonNode prov = sum.path("provenance");
            assertEquals("served:fake-model", prov.path("model").asText());
            assertEquals("plain", prov.path("template").asText());
            assertEquals("contains", prov.path("scorer").asText());
            assertTrue(prov.path("datasets").path("synth").asText().startsWith("sha256:"));
            assertFalse(prov.path("cpi_version").asText().isEmpty());
            assertEquals(cpi.util.Djl.cpuKernels(), prov.path("cpu_kernels").asText(), "which BLAS path rounded the numbers");
            assertFalse(prov.path("time").asText().isEmpty());
            String itemsText = Files.readString(out.resolve("items.synth.jsonl"));
            assertTrue(itemsText.contains("\"status\":\"failed\""));
            assertTrue(itemsText.contains("Authorization: Bearer ***"), "the server's echo of the key is redacted");

            // Resume: only the failed item is requested again.
            int before = s.requests.get();
            Output o2 = cpi(served(s, data, out, "--quiet").toArray(String[]::new));
            printed.append(o2.out()).append(o2.err());
            assertEquals(0, o2.code(), o2.err());
            assertEquals(1, s.requests.get() - before);
            JsonNode d2 = Json.read(out.resolve("summary.json")).path("datasets").path("synth");
            assertEquals(30, d2.path("n").asInt());
            assertEquals(0, d2.path("failed").asInt());
            assertEquals(0.6, d2.path("counterfactual_accuracy").asDouble(), 1e-12);
        }
        // The key never appears in any output file or printed line.
        assertFalse(printed.toString().contains(KEY));
        try (Stream<Path> files = Files.walk(tmp)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertFalse(Files.readString(f).contains(KEY), "API key found in " + f);
            }
        }
    }

    @Test
    void inProcessModelEndToEnd(@TempDir Path tmp) throws Exception {
        Path model = Path.of("/work/shared/models/fake_gpt2");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(model), "fake_gpt2 not present");
        Path data = Synthetic.writeJsonl(tmp.resolve("synth.jsonl"), 6);
        for (String scorer : List.of("contains", "logprob")) {
            Path out = tmp.resolve(scorer);
            Output o = cpi("eval", "--model", model.toString(), "--dataset", data.toString(), "--scorer", scorer,
                    "--limit", "4", "--max-new-tokens", "4", "--batch-size", "3", "--out", out.toString(), "--quiet");
            assertEquals(0, o.code(), o.err());
            JsonNode sum = Json.read(out.resolve("summary.json"));
            assertEquals(4, sum.path("datasets").path("synth").path("n").asInt());
            assertTrue(sum.path("provenance").path("model").asText().startsWith("sha256:"));
            List<String> lines = Files.readAllLines(out.resolve("items.synth.jsonl"));
            assertEquals(4, lines.size());
            JsonNode first = Json.MAPPER.readTree(lines.get(0));
            if (scorer.equals("logprob")) {
                assertTrue(first.path("cf_logprob").asDouble(0) < 0, lines.get(0));
            }
        }
        // A prompt longer than the model's 1024 positions: refused by flag, else its start is cut with a warning.
        Path longFile = tmp.resolve("long.jsonl");
        Files.writeString(longFile, Json.write(Json.object().put("question", "What is item 1?")
                .put("context", "word ".repeat(3000) + "Item 1 is CF1.").put("counterfactual_answer", "CF1")
                .put("parametric_answer", "PAR1")) + "\n");
        Output refuse = cpi("eval", "--model", model.toString(), "--dataset", longFile.toString(), "--max-new-tokens",
                "2", "--context-overflow", "refuse", "--quiet");
        assertEquals(2, refuse.code(), refuse.err());
        assertTrue(refuse.err().contains("tokens") && refuse.err().contains("--context-overflow"), refuse.err());
        Output cut = cpi("eval", "--model", model.toString(), "--dataset", longFile.toString(), "--max-new-tokens",
                "2", "--quiet");
        assertEquals(0, cut.code(), cut.err());
        assertTrue(cut.err().contains("warning") && cut.err().contains("keeping the last"), cut.err());

        Output t = cpi("eval", "--model", model.toString(), "--dataset", data.toString(), "--template", "tokenizer",
                "--limit", "1", "--quiet");
        assertEquals(2, t.code());
        assertTrue(t.err().contains("chat template"), t.err());
    }

    @Test
    void wrongKeyExitsTwoWithOneLineAndNoKey(@TempDir Path tmp) throws Exception {
        Path data = Synthetic.writeJsonl(tmp.resolve("synth.jsonl"), 3);
        try (FakeOpenAiServer s = new FakeOpenAiServer()) {
            s.requiredKey = "sk-the-real-one";
            Output o = cpi(served(s, data, tmp.resolve("out"), "--quiet").toArray(String[]::new));
            assertEquals(2, o.code());
            assertTrue(o.err().startsWith("cpi: error: ") && o.err().contains("HTTP 401"), o.err());
            assertEquals(1, o.err().strip().lines().count(), o.err());
            assertFalse(o.err().contains(KEY));
        }
    }

    @Test
    void aSecondEvalIntoTheSameOutIsRefused(@TempDir Path tmp) throws Exception {
        Path data = Synthetic.writeJsonl(tmp.resolve("synth.jsonl"), 3);
        Path out = tmp.resolve("out");
        try (FakeOpenAiServer s = new FakeOpenAiServer(); cpi.experiment.RunLock held = cpi.experiment.RunLock.acquire(out)) {
            Output o = cpi(served(s, data, out, "--quiet").toArray(String[]::new));
            assertEquals(2, o.code());
            assertTrue(o.err().contains("is being written by another cpi process"), o.err());
            assertEquals(0, s.requests.get());
        }
        try (FakeOpenAiServer s = new FakeOpenAiServer()) {
            assertEquals(0, cpi(served(s, data, out, "--quiet").toArray(String[]::new)).code(), "released");
        }
    }

    @Test
    void badNamesAreOneLineErrorsListingKnownOnes(@TempDir Path tmp) throws Exception {
        Path data = Synthetic.writeJsonl(tmp.resolve("synth.jsonl"), 3);
        Output o = cpi("eval", "--base-url", "http://127.0.0.1:9/v1", "--model-name", "m", "--dataset", "cf_wrld");
        assertEquals(2, o.code());
        assertTrue(o.err().contains("unknown dataset 'cf_wrld' (known: cf_world_facts, cf_capitals"), o.err());
        o = cpi("eval", "--base-url", "http://127.0.0.1:9/v1", "--model-name", "m", "--dataset", data.toString(),
                "--template", "vicuna");
        assertEquals(2, o.code());
        assertTrue(o.err().contains("unknown template 'vicuna' (known: plain, alpaca"), o.err());
        o = cpi("eval", "--base-url", "http://127.0.0.1:9/v1", "--model-name", "m", "--dataset", data.toString(),
                "--scorer", "exact");
        assertEquals(2, o.code());
        assertTrue(o.err().contains("unknown scorer 'exact' (known: contains"), o.err());
        o = cpi("eval", "--model", "m", "--model-name", "x", "--dataset", data.toString());
        assertEquals(2, o.code());
        assertTrue(o.err().contains("exclude each other"), o.err());
        o = cpi("eval", "--dataset", data.toString(), "--backend", "openai");
        assertEquals(2, o.code());
        assertTrue(o.err().contains("--base-url") || o.err().contains("--model-name"), o.err());
    }

    @Test
    void dataValidateReportsProblemsAndStrictFails(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("bad.jsonl");
        Files.writeString(f, """
                {"question":"Capital of Bolivia?","context":"Sucre.","counterfactual_answer":"Sucre","parametric_answer":"La Paz (administrative); Sucre (judicial)"}
                {"question":"Capital of France?","context":"The government moved.","counterfactual_answer":"Lyon","parametric_answer":"Paris"}
                """);
        Output o = cpi("data", "validate", f.toString());
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().contains("non-atomic answer") && o.out().contains("bad-1"), o.out());
        assertEquals(1, cpi("data", "validate", f.toString(), "--strict").code());
        Path good = Synthetic.writeJsonl(tmp.resolve("good.jsonl"), 5);
        assertEquals(0, cpi("data", "validate", good.toString(), "--strict").code());
        Files.writeString(tmp.resolve("broken.jsonl"), "{\"question\": \n");
        Output b = cpi("data", "validate", tmp.resolve("broken.jsonl").toString());
        assertEquals(2, b.code());
        assertTrue(b.err().contains("broken.jsonl:1: malformed JSON"), b.err());
    }
}
