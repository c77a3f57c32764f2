package cpi.bench;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import cpi.demo.DemoConfig;
import cpi.model.Checkpoints;
import cpi.model.HfTokenizer;
import cpi.model.ModelConfig;
import cpi.model.Transformer;
import cpi.train.Finetune;
import cpi.train.FinetuneConfig;
import cpi.train.TrainMode;
import cpi.util.AtomicFiles;
import cpi.world.World;
import cpi.world.WorldFiles;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Trajectory wall time, in-loop vs the paper's pipeline. Same work both ways: a full finetune of a
 * demo-shaped gpt2 model (GPT-2 tokenizer) on alpaca-5000 with cf_world_facts logprob evaluations at
 * every checkpoint. In-loop: one `Finetune.run` evaluating every K steps. Pipeline: the same finetune
 * saving a checkpoint every K steps without evaluating, then one fresh `cpi eval` JVM per checkpoint
 * (start-up, engine and model load included, as open-instruct + lm-eval-harness do).
 */
final class TrajectoryFigure {
    private TrajectoryFigure() {}

    static Figure run(Bench.Ctx c) throws Exception {
        String name = "trajectory_speedup";
        Path tok = EndToEndFigures.findGpt2Tokenizer();
        Path stories = Bench.findStories(null);
        Path alpaca = stories == null ? null
                : stories.getParent().getParent().getParent().resolve("data/alpaca-5000/alpaca_5000.json");
        if (tok == null || alpaca == null || !Files.isRegularFile(alpaca)) {
            return Figure.missing(name, "x", "needs ../shared/models/fake_gpt2 and ../shared/data/alpaca-5000");
        }
        Path work = Files.createTempDirectory("cpi-bench-trajectory-");
        try {
            Path model = work.resolve("model");
            try (NDManager m = c.manager.newSubManager(); HfTokenizer hf = HfTokenizer.load(tok)) {
                ModelConfig cfg = BenchModels.config(BenchModels.DEMO.replace("\"vocab_size\": 700", "\"vocab_size\": 50257")
                        .replace("\"n_positions\": 128", "\"n_positions\": 512")
                        .replace("\"bos_token_id\": 0, \"eos_token_id\": 0", "\"bos_token_id\": 50256, \"eos_token_id\": 50256"));
                try (Transformer t = Transformer.random(cfg, 0L, m)) {
                    Checkpoints.save(t, hf, model, DataType.FLOAT32);
                }
            }
            return measure(c, name, work, model, alpaca.toString(), "cf_world_facts", "logprob", 4, 256, null);
        } finally {
            AtomicFiles.deleteRecursively(work);
        }
    }

    /**
     * The same comparison on the demo's own setting: the synthetic world (word-level tokenizer, a few
     * hundred words), a random model of the demo's shape (DemoConfig: gpt2, d 128, 3 layers, 4 heads, 128 positions), its
     * IFT data, batch 32, and its counterfactual eval file scored with the logprob scorer.
     */
    static Figure runDemo(Bench.Ctx c) throws Exception {
        String name = "trajectory_speedup_demo";
        Path work = Files.createTempDirectory("cpi-bench-trajectory-demo-");
        try {
            DemoConfig dc = DemoConfig.of(true, 1L);
            World world = World.generate(dc.world());
            Map<String, Path> files = WorldFiles.write(world, work.resolve("world"));
            Path model = work.resolve("model");
            try (NDManager m = c.manager.newSubManager(); HfTokenizer tok = HfTokenizer.load(work.resolve("world"))) {
                ModelConfig mc = dc.modelConfig(tok);
                try (Transformer t = Transformer.random(mc, 0L, m)) {
                    Checkpoints.save(t, tok, model, DataType.FLOAT32);
                }
            }
            return measure(c, name, work, model, files.get(WorldFiles.IFT).toString(),
                    files.get(WorldFiles.EVAL_CF).toString(), "logprob", dc.iftBatch(), dc.maxPositions(), dc.template());
        } finally {
            AtomicFiles.deleteRecursively(work);
        }
    }

    private static Figure measure(Bench.Ctx c, String name, Path work, Path model, String trainData, String evalData,
                                  String scorer, int batch, int maxSeq, String templateOrNull) throws Exception {
        int steps = c.options().quick() ? 6 : 20;
        int every = c.options().quick() ? 3 : 5;
        int limit = c.options().quick() ? 8 : 32;
        java.util.function.Function<Path, FinetuneConfig> base = out -> {
            FinetuneConfig f = FinetuneConfig.defaults(model, trainData, out)
                    .withTrain(TrainMode.FULL).withBatch(batch, 1 << 14, maxSeq).withReport(false)
                    .withHeldout(0.0, 0, 0).withRetention(0, "none").withLogEvery(1000);
            return templateOrNull == null ? f : f.withTemplate(templateOrNull);
        };
        String template = base.apply(work).template();

        // Where the in-loop time goes: steps (between callbacks) vs evaluations (the last step's callback to
        // the eval callback; step 0's evaluation from onStart).
        double[] split = new double[3]; // last mark (ns), step seconds, eval seconds
        Finetune.Listener timer = new Finetune.Listener() {
            @Override
            public void onStart(FinetuneConfig cfg, long startStep, long totalSteps) {
                split[0] = System.nanoTime();
            }

            @Override
            public void onStep(cpi.train.StepResult r, double epoch) {
                long now = System.nanoTime();
                split[1] += (now - split[0]) / 1e9;
                split[0] = now;
            }

            @Override
            public void onEval(long step, List<cpi.experiment.TrajectoryRecord> records) {
                long now = System.nanoTime();
                split[2] += (now - split[0]) / 1e9;
                split[0] = now;
            }
        };
        long t0 = System.nanoTime();
        Finetune.run(base.apply(work.resolve("inloop")).withSteps(steps, 0, every)
                .withEval(List.of(evalData), scorer, limit, null), null, timer);
        double inLoop = (System.nanoTime() - t0) / 1e9;

        long t1 = System.nanoTime();
        Path run = work.resolve("pipeline");
        Finetune.run(base.apply(run).withSteps(steps, every, 0).withEval(List.of(), scorer, limit, null),
                null, Finetune.QUIET);
        double train = (System.nanoTime() - t1) / 1e9;
        List<Path> ckpts = new ArrayList<>();
        try (Stream<Path> s = Files.list(run.resolve("checkpoints"))) {
            s.filter(p -> p.getFileName().toString().startsWith("step-")).sorted().forEach(ckpts::add);
        }
        // The in-loop run also evaluates the base model at step 0: so does the pipeline.
        ckpts.add(0, model);
        for (Path ck : ckpts) {
            freshEval(ck, evalData, scorer, template, limit, work.resolve("eval-" + ck.getFileName()));
        }
        double pipeline = (System.nanoTime() - t1) / 1e9;
        int evals = ckpts.size();
        return Figure.ok(name, pipeline / inLoop, "x", String.format(Locale.ROOT,
                "in-loop %.1f s (steps %.1f s, %d evals %.1f s = %.2f s each) vs pipeline %.1f s (finetune + saves "
                        + "%.1f s, %d fresh `cpi eval` %.1f s = %.2f s each); per-eval speed-up %.1fx; %d steps, eval "
                        + "every %d, %d items, %s",
                inLoop, split[1], evals, split[2], split[2] / evals, pipeline, train, evals, pipeline - train,
                (pipeline - train) / evals, (pipeline - train) / split[2], steps, every, limit, scorer));
    }

    private static void freshEval(Path model, String dataset, String scorer, String template, int limit, Path out)
            throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = List.of(java, "-Xss8m", "-Dai.djl.offline=true", "-Djava.awt.headless=true",
                "-cp", System.getProperty("java.class.path"), "cpi.cli.Main", "eval", "--model", model.toString(),
                "--dataset", dataset, "--scorer", scorer, "--template", template,
                "--limit", Integer.toString(limit), "--out", out.toString(), "--quiet");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(new File(out + ".log"))).start();
        int code = p.waitFor();
        if (code != 0) {
            throw new IllegalStateException("fresh cpi eval failed (exit " + code + "): "
                    + Files.readString(Path.of(out + ".log")).lines().reduce("", (a, b) -> b));
        }
    }
}
