package cpi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import cpi.util.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** cpi generate / score / inspect end to end through the CLI. */
class InferenceCommandsTest {
    static final String STORIES = "../shared/models/stories260K/stories260K.bin";
    static final String FAKE_GPT2 = "../shared/models/fake_gpt2";

    static CliRun.Output run(String... args) {
        return CliRun.cpi(args);
    }

    @Test
    void storiesGreedyIdsMatchLlama2cRunC() {
        // Fixture made by tools/reference/llama2c_greedy.py and cross-checked by run_c_port.c (see its "how").
        JsonNode ref = Json.read(Path.of("src/test/resources/reference/stories260K_greedy.json"));
        List<String> expected = new ArrayList<>();
        ref.path("generated_ids").forEach(n -> expected.add(n.asText()));
        CliRun.Output r = run("generate", "--model", STORIES, "--prompt-ids", "1", "--max-new-tokens", "80",
                "--temperature", "0", "--print-ids");
        assertEquals(0, r.code(), r.err());
        assertEquals(String.join(" ", expected), r.out().strip());
        assertEquals(1, r.out().strip().lines().count());
    }

    @Test
    void inspectReportsFamilyParametersDtypeAndFingerprint() {
        CliRun.Output r = run("inspect", "--model", "src/test/resources/reference/llama", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode o = Json.MAPPER.valueToTree(parse(r.out()));
        assertEquals("llama", o.path("family").asText());
        // hidden 32, 2 layers, 4 heads / 2 kv heads (head 8), intermediate 64, vocab 96, untied head
        long perLayer = 32 * 32 + 2 * 16 * 32 + 32 * 32 + 3 * 32 * 64 + 2 * 32;
        assertEquals(96 * 32 * 2 + 2 * perLayer + 32, o.path("parameters").asLong());
        assertEquals("F32", o.path("dtype").asText());
        assertTrue(o.path("fingerprint").asText().matches("sha256:[0-9a-f]{64}"), o.toString());
        CliRun.Output f16 = run("inspect", "--model", "src/test/resources/reference/llama_f16");
        assertEquals(0, f16.code(), f16.err());
        assertTrue(f16.out().contains("F16"), f16.out());
        assertTrue(f16.out().contains("family:"), f16.out());
    }

    @Test
    void scorePrintsPerTokenAndSum() {
        CliRun.Output r = run("score", "--model", "src/test/resources/reference/gpt2", "--prompt-ids", "1,2,3",
                "--continuation-ids", "4 5", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode o = parse(r.out());
        assertEquals(2, o.path("tokens").size());
        double sum = o.path("tokens").get(0).path("logprob").asDouble() + o.path("tokens").get(1).path("logprob").asDouble();
        assertEquals(sum, o.path("sum_logprob").asDouble(), 1e-9);
        assertTrue(sum < 0);
    }

    @Test
    void textPromptsUseTheTokenizer() {
        CliRun.Output g = run("generate", "--model", FAKE_GPT2, "--prompt", "Hello world", "--max-new-tokens", "5", "--print-ids",
                "--ignore-eos");
        assertEquals(0, g.code(), g.err());
        assertEquals(5, g.out().strip().split(" ").length, g.out());
        CliRun.Output s = run("score", "--model", FAKE_GPT2, "--prompt", "The capital of France is", "--continuation", " Paris");
        assertEquals(0, s.code(), s.err());
        assertTrue(s.out().contains("\" Paris\""), s.out());
        assertTrue(s.out().contains("sum logprob"), s.out());
    }

    @Test
    void userErrorsAreOneLine() {
        CliRun.Output noTok = run("generate", "--model", STORIES, "--prompt", "Once upon a time");
        assertEquals(2, noTok.code());
        assertTrue(noTok.err().contains("--prompt-ids"), noTok.err());
        CliRun.Output badIds = run("generate", "--model", STORIES, "--prompt-ids", "1,x");
        assertEquals(2, badIds.code());
        assertEquals(1, badIds.err().strip().lines().count(), badIds.err());
        CliRun.Output outOfVocab = run("generate", "--model", STORIES, "--prompt-ids", "1,100000");
        assertEquals(2, outOfVocab.code());
        CliRun.Output refuse = run("generate", "--model", STORIES, "--prompt-ids", "1,".repeat(600) + "1",
                "--context-overflow", "refuse");
        assertEquals(2, refuse.code());
        assertTrue(refuse.err().contains("context"), refuse.err());
        CliRun.Output truncate = run("generate", "--model", STORIES, "--prompt-ids", "1,".repeat(600) + "1",
                "--max-new-tokens", "3", "--print-ids", "--ignore-eos");
        assertEquals(0, truncate.code(), truncate.err());
        assertTrue(truncate.err().contains("warning"), truncate.err());
        assertEquals(3, truncate.out().strip().split(" ").length);
    }

    private static JsonNode parse(String s) {
        try {
            return Json.MAPPER.readTree(s);
        } catch (Exception e) {
            throw new AssertionError(s, e);
        }
    }
}
