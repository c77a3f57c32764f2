package cpi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import cpi.mitigate.AxolotlConfig;
import cpi.train.IftExample;
import cpi.mitigate.MitigationData;
import cpi.mitigate.ScoringModel;
import cpi.model.GenerationOptions;
import cpi.model.TextModel;
import cpi.util.Json;
import cpi.util.Progress;
import cpi.util.UserError;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MitigateCommandsTest {
    record Output(int code, String out, String err) {}

    /** Runs a command object the way Main does (UserError → one line, exit 2); data subcommands stand alone. */
    static Output run(Object command, String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            CommandLine cli = new CommandLine(command);
            cli.setExecutionExceptionHandler((ex, c, p) -> {
                for (Throwable t = ex; t != null; t = t.getCause()) {
                    if (t instanceof UserError) {
                        System.err.println("cpi: error: " + t.getMessage());
                        return 2;
                    }
                }
                throw ex;
            });
            int code = cli.execute(args);
            return new Output(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
            Progress.setQuiet(false);
        }
    }

    static Path alpaca(Path dir, int n) throws Exception {
        List<Map<String, String>> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rows.add(Map.of("instruction", "Task " + i, "input", i % 4 == 0 ? "Context about France " + i : "",
                    "output", "Result " + i));
        }
        Path f = dir.resolve("data.json");
        Files.writeString(f, Json.write(rows));
        return f;
    }

    @Test
    void filterHasContextWritesKeptSetAndReport(@TempDir Path tmp) throws Exception {
        Path data = alpaca(tmp, 20);
        Path out = tmp.resolve("kept.jsonl");
        Output o = run(new DataFilterCommand(), "--data", data.toString(), "--by", "has-context", "--out",
                out.toString(), "-q");
        assertEquals(0, o.code(), o.err());
        List<IftExample> kept = MitigationData.read(out);
        assertEquals(5, kept.size());
        assertTrue(kept.stream().allMatch(IftExample::hasInput));
        JsonNode rep = Json.read(tmp.resolve("kept.report/filter-report.json"));
        assertEquals(15, rep.path("dropped").asInt());
        assertTrue(rep.path("provenance").path("datasets").path("data.json").asText().startsWith("sha256:"));
        assertTrue(o.out().contains("kept 5 of 20"), o.out());
    }

    @Test
    void filterKeywordNeedsAKeywordsFile(@TempDir Path tmp) throws Exception {
        Path data = alpaca(tmp, 8);
        Output o = run(new DataFilterCommand(), "--data", data.toString(), "--by", "keyword", "--out",
                tmp.resolve("k.json").toString());
        assertEquals(2, o.code());
        assertTrue(o.err().contains("--keywords"), o.err());
        Path kw = tmp.resolve("kw.txt");
        Files.writeString(kw, "france\n");
        o = run(new DataFilterCommand(), "--data", data.toString(), "--by", "keyword", "--keywords", kw.toString(),
                "--out", tmp.resolve("k.json").toString(), "-q");
        assertEquals(0, o.code(), o.err());
        assertEquals(6, MitigationData.read(tmp.resolve("k.json")).size());
        JsonNode rep = Json.read(tmp.resolve("k.report/filter-report.json"));
        assertEquals(2, rep.path("drop_reasons").path("france").asInt());
        assertEquals("france", rep.path("examples_dropped").get(0).path("reason").asText());
    }

    @Test
    void filterNoContextLossDropsTheFractionAndWritesAHistogram(@TempDir Path tmp) throws Exception {
        Path data = alpaca(tmp, 40);
        List<String> seen = new ArrayList<>();
        TextModel fake = new TextModel() {
            @Override
            public String fingerprint() {
                return "sha256:test";
            }

            @Override
            public List<String> generate(List<String> prompts, GenerationOptions options) {
                throw new UnsupportedOperationException();
            }

            @Override
            public double[] logLikelihood(List<String> prompts, List<String> continuations) {
                seen.addAll(prompts);
                return continuations.stream().mapToDouble(c -> -Integer.parseInt(c.replaceAll("\\D", "")) * 0.1)
                        .toArray();
            }
        };
        var old = DataFilterCommand.modelOpener;
        DataFilterCommand.modelOpener = p -> new ScoringModel(fake, null, null);
        try {
            Output o = run(new DataFilterCommand(), "--data", data.toString(), "--by", "no-context-loss", "--model",
                    tmp.toString(), "--drop-fraction", "0.25", "--out", tmp.resolve("kept.json").toString(),
                    "--cache-dir", tmp.resolve("cache").toString(), "-q");
            assertEquals(0, o.code(), o.err());
            assertEquals(30, MitigationData.read(tmp.resolve("kept.json")).size());
            assertTrue(seen.stream().noneMatch(p -> p.contains("France")), "input must not be shown");
            JsonNode rep = Json.read(tmp.resolve("kept.report/filter-report.json"));
            assertEquals(10, rep.path("dropped").asInt());
            assertEquals("sha256:test", rep.path("provenance").path("model").asText());
            assertTrue(Files.size(tmp.resolve("kept.report/scores.png")) > 1000);
            // Second run: from the cache, the model is not asked again.
            seen.clear();
            o = run(new DataFilterCommand(), "--data", data.toString(), "--by", "no-context-loss", "--model",
                    tmp.toString(), "--out", tmp.resolve("kept2.json").toString(), "--cache-dir",
                    tmp.resolve("cache").toString(), "-q");
            assertEquals(0, o.code(), o.err());
            assertTrue(seen.isEmpty());
            assertTrue(o.err().contains("from cache"));
        } finally {
            DataFilterCommand.modelOpener = old;
        }
    }

    @Test
    void augmentReportsOverlapAndExportWritesMessages(@TempDir Path tmp) throws Exception {
        Path data = alpaca(tmp, 20);
        Path src = tmp.resolve("squad.jsonl");
        Files.writeString(src, String.join("\n",
                "{\"id\":\"1\",\"question\":\"When?\",\"context\":\"It happened in 1492.\",\"answer\":\"1492\"}",
                "{\"id\":\"2\",\"question\":\"When then?\",\"context\":\"It ended in 1945.\",\"answer\":\"1945\"}",
                "{\"id\":\"3\",\"question\":\"And?\",\"context\":\"Built in 1961.\",\"answer\":\"1961\"}") + "\n");
        Path eval = tmp.resolve("eval.json");
        Files.writeString(eval, "[{\"question\":\"when\",\"context\":\"It happened in 1492\",\"answer\":\"x\","
                + "\"memory_answer\":\"y\"}]");
        Path out = tmp.resolve("aug.json");
        Output o = run(new DataAugmentCommand(), "--data", data.toString(), "--from", src.toString(), "--fraction",
                "0.1", "--eval", eval.toString(), "--out", out.toString(), "-q");
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().contains("excluded 1 source items overlapping 1 evaluation items"), o.out());
        List<IftExample> mix = MitigationData.read(out);
        assertEquals(22, mix.size());
        assertEquals(2, mix.stream().filter(e -> "counterfactual".equals(e.kind())).count());
        JsonNode rep = Json.read(tmp.resolve("aug.report/augment-report.json"));
        assertEquals(1, rep.path("excluded_eval_overlap").asInt());

        Path msgs = tmp.resolve("mix.jsonl");
        o = run(new DataExportCommand(), "--data", out.toString(), "--format", "messages", "--out", msgs.toString());
        assertEquals(0, o.code(), o.err());
        List<String> lines = Files.readAllLines(msgs);
        assertEquals(22, lines.size());
        JsonNode first = Json.MAPPER.readTree(lines.get(0));
        assertEquals("user", first.path("messages").get(0).path("role").asText());
        assertEquals("Task 0\n\nContext about France 0", first.path("messages").get(0).path("content").asText());
        assertEquals("Result 0", first.path("messages").get(1).path("content").asText());
        Path alp = tmp.resolve("mix.json");
        o = run(new DataExportCommand(), "--data", out.toString(), "--format", "alpaca", "--out", alp.toString());
        JsonNode a = Json.read(alp);
        assertEquals(22, a.size());
        assertFalse(a.get(0).has("kind"));
        assertEquals(2, run(new DataExportCommand(), "--data", out.toString(), "--format", "sharegpt", "--out",
                alp.toString()).code());
    }

    @Test
    void exportConfigAndCompareThroughTheRootCommand(@TempDir Path tmp) throws Exception {
        Path model = tmp.resolve("model");
        Files.createDirectories(model);
        Files.writeString(model.resolve("config.json"), "{\"model_type\":\"llama\"}");
        Path yaml = tmp.resolve("axolotl.yaml");
        Output o = run(new CpiCommand(), "export-config", "--trainer", "axolotl", "--model", model.toString(),
                "--data", "mix.json", "--mode", "qk", "--lr", "1e-5", "--save-steps", "25", "--out", yaml.toString());
        assertEquals(0, o.code(), o.err());
        JsonNode y = AxolotlConfig.parse(Files.readString(yaml));
        assertEquals("model.layers.[0-9]+.self_attn.(q_proj|k_proj).weight",
                y.path("unfrozen_parameters").get(0).asText());
        assertEquals(25, y.path("save_steps").asInt());
        o = run(new CpiCommand(), "export-config", "--model", "EleutherAI/pythia-160m", "--data", "m.json",
                "--mode", "qk");
        assertEquals(2, o.code());
        // Settings from a run's run.json; a flag overrides.
        Path runDir = tmp.resolve("run");
        Files.createDirectories(runDir);
        Files.writeString(runDir.resolve("run.json"), "{\"config\":{\"model\":\"" + model + "\",\"data\":\"mix.jsonl\","
                + "\"train\":\"LORA\",\"lr\":0.0001,\"maxSteps\":120,\"saveEvery\":30,\"batchSize\":8,"
                + "\"loraRank\":8,\"loraTargets\":[\"q\",\"k\",\"v\",\"o\"]}}");
        o = run(new CpiCommand(), "export-config", "--run", runDir.toString(), "--save-steps", "10");
        assertEquals(0, o.code(), o.err());
        JsonNode fromRun = AxolotlConfig.parse(o.out());
        assertEquals(1e-4, fromRun.path("learning_rate").asDouble(), 1e-15);
        assertEquals(120, fromRun.path("max_steps").asInt());
        assertEquals(10, fromRun.path("save_steps").asInt());
        assertEquals(8, fromRun.path("lora_r").asInt());
        assertEquals(2, fromRun.path("gradient_accumulation_steps").asInt());
        assertEquals("chat_template", fromRun.path("datasets").get(0).path("type").asText());
        assertEquals("q_proj", fromRun.path("lora_target_modules").get(0).asText());
        o = run(new CpiCommand(), "export-config", "--model", "EleutherAI/pythia-160m", "--family", "gpt_neox",
                "--data", "m.json", "--mode", "qk");
        assertEquals(0, o.code());
        assertTrue(o.err().contains("warning: gpt_neox stores Q, K and V fused"), o.err());
        assertTrue(o.out().contains("query_key_value"));

        Path a = cpi.mitigate.RunComparisonTest.run(tmp.resolve("a"), "baseline", 0.3, 0.8, 0.5);
        Path b = cpi.mitigate.RunComparisonTest.run(tmp.resolve("b"), "augmented", 0.3, 0.7, 0.7);
        o = run(new CpiCommand(), "compare", a.toString(), b.toString(), "--out", tmp.resolve("cmp").toString(),
                "--format", "csv", "--no-html", "-q");
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().contains("augmented,cf_capitals,0.7,100,0.7,0,0.3,0.3"), o.out());
        assertTrue(Files.exists(tmp.resolve("cmp/compare.png")));
        assertFalse(Files.exists(tmp.resolve("cmp/report")));
    }
}
