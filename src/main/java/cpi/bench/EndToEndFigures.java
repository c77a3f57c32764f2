package cpi.bench;

import ai.djl.ndarray.NDManager;
import cpi.cli.CpiCommand;
import cpi.cli.Main;
import cpi.data.Dataset;
import cpi.data.Datasets;
import cpi.eval.EvalOptions;
import cpi.eval.EvalResult;
import cpi.eval.Evaluator;
import cpi.eval.Templates;
import cpi.model.HfTokenizer;
import cpi.model.LocalTextModel;
import cpi.model.Transformer;
import cpi.util.AtomicFiles;
import cpi.util.UserError;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;

/** Figures over whole features: scoring a dataset, the quick demo, the in-loop trajectory. */
final class EndToEndFigures {
    private EndToEndFigures() {}

    /** The real GPT-2 tokenizer (from ../shared/models/fake_gpt2), for text benchmarks on random models. */
    static Path findGpt2Tokenizer() {
        Path stories = Bench.findStories(null);
        if (stories != null) {
            Path t = stories.getParent().getParent().resolve("fake_gpt2").resolve("tokenizer.json");
            if (Files.isRegularFile(t)) {
                return t;
            }
        }
        return null;
    }

    /**
     * Items/s of the product's Evaluator with the logprob scorer (two continuations per item: the
     * counterfactual and the parametric answer) on cf_world_facts, plain template, with a random
     * Pythia-70m-shaped model and the GPT-2 BPE tokenizer (same vocabulary size class).
     */
    static Figure logprobItems(Bench.Ctx c) throws Exception {
        String name = "logprob_cf_world_facts_items_per_s";
        Path tok = findGpt2Tokenizer();
        if (tok == null) {
            return Figure.missing(name, "items/s", "../shared/models/fake_gpt2/tokenizer.json not found");
        }
        Dataset ds;
        try {
            ds = Datasets.load("cf_world_facts", null);
        } catch (UserError e) {
            return Figure.missing(name, "items/s", "cf_world_facts not found: " + e.getMessage());
        }
        int n = c.options().quick() ? 32 : 128;
        try (NDManager m = c.manager.newSubManager(); Transformer t = BenchModels.random(BenchModels.PYTHIA_70M, m);
             HfTokenizer hf = HfTokenizer.load(tok)) {
            LocalTextModel lm = new LocalTextModel(t, hf, "sha256:random-bench-model");
            EvalOptions opts = EvalOptions.defaults().withLimit(n).withBatchSize(16).withBootstrap(0).withProgress(false);
            new Evaluator().evaluate(lm, ds.limit(8), Templates.get("plain"), "logprob", opts.withLimit(8)); // warm-up
            long t0 = System.nanoTime();
            EvalResult r = new Evaluator().evaluate(lm, ds, Templates.get("plain"), "logprob", opts);
            double s = (System.nanoTime() - t0) / 1e9;
            return Figure.ok(name, r.n() / s, "items/s", String.format(Locale.ROOT,
                    "%d items x 2 continuations, plain template, batch 16, random Pythia-70m shape + GPT-2 BPE", r.n()));
        }
    }

    /** Wall seconds of `cpi demo --quick` run in this process (output discarded), once the demo has --quick. */
    static Figure demoQuick(Bench.Ctx c) throws Exception {
        String name = "demo_quick_seconds";
        CommandLine demo = new CommandLine(new CpiCommand()).getSubcommands().get("demo");
        if (demo == null || demo.getCommandSpec().findOption("--quick") == null) {
            return Figure.missing(name, "s", "cpi demo --quick is not built yet");
        }
        // Pretraining dominates a cold run and is cached afterwards: say which one was measured.
        boolean cached = Files.isRegularFile(cpi.demo.Pretrainer.cacheDir(cpi.demo.DemoConfig.of(true, 0))
                .resolve("model.safetensors"));
        Path out = Files.createTempDirectory("cpi-bench-demo-");
        PrintStream oldOut = System.out;
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        long t0 = System.nanoTime();
        int code;
        try {
            System.setOut(new PrintStream(sink, true, StandardCharsets.UTF_8));
            List<String> args = List.of("demo", "--quick", "--out", out.toString());
            code = Main.run(args.toArray(String[]::new));
        } finally {
            System.setOut(oldOut);
            AtomicFiles.deleteRecursively(out);
        }
        double s = (System.nanoTime() - t0) / 1e9;
        if (code != 0) {
            return new Figure(name, Double.NaN, "s", "failed", "cpi demo --quick exited " + code);
        }
        return Figure.ok(name, s, "s", "cpi demo --quick, in process, end to end, "
                + (cached ? "pretrained model cached (warm)" : "cold: includes pretraining"));
    }

    static Figure trajectorySpeedup(Bench.Ctx c) throws Exception {
        return TrajectoryFigure.run(c);
    }
}
