package cpi.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import cpi.cli.CliRun;
import cpi.cli.Main;
import cpi.experiment.TrajectoryRecord;
import cpi.experiment.TrajectoryStore;
import cpi.model.Checkpoints;
import cpi.model.HfTokenizer;
import cpi.model.Transformer;
import cpi.model.WordTokenizer;
import cpi.util.Djl;
import cpi.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * cpi finetune with in-loop conflict evaluation and the attention diagnostic, then cpi sweep of its
 * checkpoints into a second run (identical-weights warning included) and cpi trajectory, on a tiny model
 * directory with a word tokenizer.
 */
class CliRunTest {
    @TempDir
    Path dir;

    Path model() {
        Djl.engine();
        List<String> vocab = new ArrayList<>(List.of("what", "is", "the", "capital", "of", "?", ".", "Q", ":", "A",
                "Background", "Question", "Answer"));
        for (int i = 0; i < 20; i++) {
            vocab.add("c" + i);
            vocab.add("t" + i);
        }
        Path m = dir.resolve("model");
        try (NDManager nd = NDManager.newBaseManager(); HfTokenizer tok = WordTokenizer.build(vocab, m)) {
            Checkpoints.save(Transformer.random(TinyModels.llama(), 21, nd), tok, m, DataType.FLOAT32);
        }
        return m;
    }

    private Path conflict() throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            sb.append(Json.write(Json.MAPPER.createObjectNode().put("id", "x" + i)
                    .put("question", "what is the capital of c" + i + " ?")
                    .put("context", "the capital of c" + i + " is t" + (i + 1) + " .")
                    .put("counterfactual_answer", "t" + (i + 1)).put("parametric_answer", "t" + i))).append('\n');
        }
        Path f = dir.resolve("cf_tiny.jsonl");
        Files.writeString(f, sb.toString());
        return f;
    }

    private static double value(List<TrajectoryRecord> rs, long step, String metric) {
        return rs.stream().filter(r -> r.step() == step && r.dataset().equals("_capability") && r.metric().equals(metric))
                .findFirst().orElseThrow(() -> new AssertionError(metric + " missing at step " + step)).value();
    }

    private static String listing(Path d) throws Exception {
        try (var s = Files.walk(d)) {
            return s.map(Path::toString).toList().toString();
        }
    }

    private static String run(String... args) {
        CliRun.Output o = CliRun.cpi(args);
        assertEquals(0, o.code(), o.out() + o.err());
        return o.out();
    }

    /** Ctrl-C (SIGINT) on `cpi finetune`: the step finishes, a checkpoint is saved, run.json says interrupted. */
    @Test
    void ctrlCSavesACheckpointAndExitsCleanly() throws Exception {
        Path model = model();
        Path data = TinyModels.alpaca(dir, 30, 4);
        Path out = dir.resolve("interrupted");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-Xss8m", "-Dai.djl.offline=true", "-cp",
                System.getProperty("java.class.path"), "cpi.cli.Main", "finetune", "--model", model.toString(),
                "--data", data.toString(), "--template", "plain", "--train", "full", "--max-steps", "100000",
                "--save-every", "0", "--eval-every", "0", "--batch-size", "2", "--out", out.toString(), "--no-report")
                .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (p.isAlive() && System.nanoTime() < deadline
                    && new TrajectoryStore(out).read().stream().filter(r -> r.metric().equals("loss")).count() < 3) {
                Thread.sleep(50);
            }
            assertTrue(p.isAlive(), Files.readString(dir.resolve("child.log")));
            new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
            assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        } finally {
            p.destroyForcibly();
        }
        assertEquals(130, p.exitValue(), Files.readString(dir.resolve("child.log")));
        var run = Json.read(out.resolve("run.json"));
        assertEquals("interrupted", run.get("status").asText());
        long step = run.get("step").asLong();
        assertTrue(step >= 3);
        assertTrue(cpi.experiment.CheckpointStore.verify(out.resolve(String.format("checkpoints/step-%06d", step)), true));
    }

    @Test
    void finetuneSweepAndTrajectoryCommands() throws Exception {
        Path model = model();
        Path cf = conflict();
        Path data = TinyModels.alpaca(dir, 30, 4);
        Path out = dir.resolve("run");
        Path mc = dir.resolve("mc.jsonl");
        Files.writeString(mc, "{\"question\":\"what is the capital of c1 ?\",\"choices\":[\"t1\",\"t2\"],\"answer\":0}\n"
                + "{\"question\":\"what is the capital of c2 ?\",\"choices\":[\"t1\",\"t2\"],\"answer\":\"B\"}\n");
        String text = run("finetune", "--benchmark", mc.toString(), "--capability-data", cf.toString(), "--model", model.toString(), "--data", data.toString(), "--template", "plain",
                "--train", "lora", "--lr", "1e-2", "--batch-size", "4", "--max-steps", "4", "--eval-every", "2",
                "--save-every", "2", "--keep-last", "0", "--eval-datasets", cf.toString(), "--attention-items", "4",
                "--max-seq-len", "64", "--heldout-fraction", "0.2", "--out", out.toString(), "--quiet", "--no-report");
        assertTrue(text.contains("cf_tiny: counterfactual accuracy"), text);
        List<TrajectoryRecord> rs = new TrajectoryStore(out).read();
        for (long step : new long[] {0, 2, 4}) {
            assertTrue(rs.stream().anyMatch(r -> r.step() == step && r.dataset().equals("cf_tiny")
                    && r.metric().equals("counterfactual_accuracy") && r.n() == 12), "cf at step " + step);
            assertTrue(rs.stream().anyMatch(r -> r.step() == step && r.metric().equals("attention_context")
                    && r.value() > 0 && r.value() < 1), "attention at step " + step);
            Path items = out.resolve(String.format("eval/step-%06d/items.cf_tiny.jsonl", step));
            assertTrue(Files.isRegularFile(items), items + " missing; eval has: " + listing(out.resolve("eval")));
        }
        for (long step : new long[] {0, 2, 4}) {
            double qa = value(rs, step, "context_qa_accuracy");
            double bench = value(rs, step, "benchmark_mc");
            assertEquals((qa + bench) / 2, value(rs, step, "capability"), 1e-12);
        }
        var prov = Json.read(out.resolve("run.json")).get("provenance");
        assertTrue(prov.get("model").asText().startsWith("sha256:"));
        assertTrue(prov.get("datasets").get("cf_tiny").asText().matches("sha256:[0-9a-f]{64}"), prov.toString());

        // Sweep the run's checkpoints (merged LoRA weights), plus a copy of one: the copy is flagged.
        Path copy = dir.resolve("copies/step-000005");
        Files.createDirectories(copy);
        try (var s = Files.list(out.resolve("checkpoints/step-000004"))) {
            for (Path f : s.toList()) {
                if (Files.isRegularFile(f)) {
                    Files.copy(f, copy.resolve(f.getFileName()));
                }
            }
        }
        Path sweep = dir.resolve("sweep");
        String st = run("sweep", "--checkpoints", out.resolve("checkpoints").toString() + "/step-*", copy.toString(),
                "--dataset", cf.toString(), "--template", "plain", "--into", sweep.toString(), "--attention-items", "0",
                "--quiet");
        assertTrue(st.contains("identical weights"), st);
        // Like every long command, the sweep ends with its HTML report and prints the path.
        assertTrue(java.nio.file.Files.isRegularFile(sweep.resolve("report").resolve("index.html")), st);
        assertTrue(st.contains("report: "), st);
        List<TrajectoryRecord> sr = new TrajectoryStore(sweep).read();
        assertEquals(List.of(2L, 4L, 5L), sr.stream().filter(r -> r.metric().equals("counterfactual_accuracy"))
                .map(TrajectoryRecord::step).toList());
        // The sweep of the final checkpoint reproduces the in-loop number at the same step.
        double inLoop = rs.stream().filter(r -> r.step() == 4 && r.dataset().equals("cf_tiny")
                && r.metric().equals("counterfactual_accuracy")).findFirst().orElseThrow().value();
        double swept = sr.stream().filter(r -> r.step() == 4 && r.metric().equals("counterfactual_accuracy"))
                .findFirst().orElseThrow().value();
        assertEquals(inLoop, swept, 1e-9);
        assertTrue(Json.read(sweep.resolve("run.json")).get("sweep").get("warnings").size() == 1);

        String tr = run("trajectory", out.toString());
        assertTrue(tr.contains("cf_tiny"), tr);
    }
}
