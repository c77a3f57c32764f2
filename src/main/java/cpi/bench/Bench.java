package cpi.bench;

import ai.djl.ndarray.NDManager;
import cpi.model.LoadedModel;
import cpi.model.ModelConfig;
import cpi.model.ModelLoader;
import cpi.model.Transformer;
import cpi.util.Djl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The `cpi bench` figures, in a fixed order, each measured in this process on this machine. A figure
 * whose feature is not built (or whose input is absent) is reported as missing, never invented.
 */
public final class Bench {
    /**
     * @param quick   fewer repetitions (for a smoke run)
     * @param only    figure names to run (empty = all)
     * @param stories the stories260K llama2.c checkpoint (null: look in ../shared/models)
     */
    public record Options(boolean quick, Set<String> only, Path stories) {}

    private interface Measure {
        Figure run(Ctx ctx) throws Exception;
    }

    /** State shared by figures in one run (the matmul ceiling feeds the % figures). */
    static final class Ctx {
        final Options options;
        final NDManager manager;
        final Map<String, Figure> done = new LinkedHashMap<>();

        Ctx(Options options, NDManager manager) {
            this.options = options;
            this.manager = manager;
        }

        Options options() {
            return options;
        }

        int reps(int full) {
            return options.quick() ? Math.max(1, full / 3) : full;
        }
    }

    private static final Map<String, Measure> FIGURES = new LinkedHashMap<>();

    static {
        FIGURES.put("matmul_gflops", c -> Figure.ok("matmul_gflops",
                InferenceBench.matmulGflops(c.manager, c.options.quick()), "GFLOP/s", "float32 1024x1024 matmul, best rep"));
        FIGURES.put("train_demo_tokens_per_s", c -> TrainFigures.trainTokensPerSecond(c, "demo"));
        FIGURES.put("train_pythia70m_tokens_per_s", c -> TrainFigures.trainTokensPerSecond(c, "pythia70m"));
        FIGURES.put("prefill_pythia70m_tokens_per_s", c -> withModel(c, BenchModels.PYTHIA_70M, m -> Figure.ok(
                "prefill_pythia70m_tokens_per_s", InferenceBench.prefillTokensPerSecond(m, 512, c.reps(3)), "tokens/s",
                "one 512-token prompt, KV cache filled, next token chosen")));
        FIGURES.put("prefill_pythia70m_pct_of_matmul", Bench::prefillPercent);
        FIGURES.put("decode_pythia70m_b1_tokens_per_s", c -> withModel(c, BenchModels.PYTHIA_70M, m -> Figure.ok(
                "decode_pythia70m_b1_tokens_per_s", InferenceBench.decodeTokensPerSecond(m, 1, 16, c.options.quick() ? 32 : 64,
                        c.reps(3)), "tokens/s", "greedy, KV cache, 16-token prompt")));
        FIGURES.put("decode_pythia70m_b8_tokens_per_s", c -> withModel(c, BenchModels.PYTHIA_70M, m -> Figure.ok(
                "decode_pythia70m_b8_tokens_per_s", InferenceBench.decodeTokensPerSecond(m, 8, 16, c.options.quick() ? 32 : 64,
                        c.reps(3)), "tokens/s", "greedy, KV cache, batch 8, tokens of all rows")));
        FIGURES.put("decode_demo_b1_tokens_per_s", c -> withModel(c, BenchModels.DEMO, m -> Figure.ok(
                "decode_demo_b1_tokens_per_s", InferenceBench.decodeTokensPerSecond(m, 1, 16, c.options.quick() ? 32 : 64,
                        c.reps(3)), "tokens/s", "greedy, KV cache, demo shape")));
        FIGURES.put("decode_stories260k_b1_tokens_per_s", Bench::stories);
        FIGURES.put("logprob_cf_world_facts_items_per_s", EndToEndFigures::logprobItems);
        FIGURES.put("demo_quick_seconds", EndToEndFigures::demoQuick);
        FIGURES.put("memory_rss_growth_pct", TrainFigures::memory);
        FIGURES.put("trajectory_speedup", EndToEndFigures::trajectorySpeedup);
        FIGURES.put("trajectory_speedup_demo", TrajectoryFigure::runDemo);
    }

    private Bench() {}

    public static List<String> names() {
        return new ArrayList<>(FIGURES.keySet());
    }

    public static List<Figure> run(Options options, Consumer<Figure> onEach) {
        for (String n : options.only()) {
            if (!FIGURES.containsKey(n)) {
                throw new cpi.util.UserError("--only: unknown figure '" + n + "' (known: " + String.join(", ", names()) + ")");
            }
        }
        Djl.engine();
        List<Figure> out = new ArrayList<>();
        try (NDManager manager = NDManager.newBaseManager()) {
            Ctx ctx = new Ctx(options, manager);
            for (Map.Entry<String, Measure> e : FIGURES.entrySet()) {
                if (!options.only().isEmpty() && !options.only().contains(e.getKey())) {
                    continue;
                }
                Figure f;
                try {
                    f = e.getValue().run(ctx);
                } catch (Exception | LinkageError ex) {
                    f = Figure.failed(e.getKey(), "", ex);
                }
                ctx.done.put(f.name(), f);
                out.add(f);
                onEach.accept(f);
            }
        }
        return out;
    }

    interface ModelBody {
        Figure run(Transformer model) throws Exception;
    }

    static Figure withModel(Ctx c, String configJson, ModelBody body) throws Exception {
        try (NDManager m = c.manager.newSubManager(); Transformer t = BenchModels.random(configJson, m)) {
            return body.run(t);
        }
    }

    /** Forward multiply-adds per token ×2 (matmuls only): projections, MLP, attention over `context` keys, LM head rows. */
    static double forwardFlopsPerToken(ModelConfig c, double context, double headFraction) {
        double d = c.hiddenSize();
        double kv = (double) c.numKvHeads() * c.headDim();
        double mlpMats = c.family() == cpi.model.Family.LLAMA || c.family() == cpi.model.Family.MISTRAL ? 3 : 2;
        double perLayer = d * d * 2 + d * kv * 2 + mlpMats * d * c.intermediateSize() + 2 * context * d;
        return 2 * (c.numLayers() * perLayer + headFraction * d * c.vocabSize());
    }

    private static Figure prefillPercent(Ctx c) throws Exception {
        Figure mm = c.done.get("matmul_gflops");
        Figure pf = c.done.get("prefill_pythia70m_tokens_per_s");
        if (mm == null || pf == null || !mm.measured() || !pf.measured()) {
            return Figure.missing("prefill_pythia70m_pct_of_matmul", "%", "needs matmul_gflops and prefill_pythia70m_tokens_per_s in the same run");
        }
        double flops = forwardFlopsPerToken(BenchModels.config(BenchModels.PYTHIA_70M), 256, 1.0 / 512);
        return Figure.ok("prefill_pythia70m_pct_of_matmul", 100 * pf.value() * flops / 1e9 / mm.value(), "%",
                String.format(java.util.Locale.ROOT, "%.1f GFLOP/s achieved (%.1f MFLOP/token)", pf.value() * flops / 1e9, flops / 1e6));
    }

    /** ../shared/models/stories260K/stories260K.bin relative to the working directory or its parents. */
    static Path findStories(Path flag) {
        if (flag != null) {
            return Files.isRegularFile(flag) ? flag : null;
        }
        Path dir = Path.of("").toAbsolutePath();
        for (int i = 0; i < 4 && dir != null; i++, dir = dir.getParent()) {
            for (String rel : List.of("shared/models/stories260K/stories260K.bin", "../shared/models/stories260K/stories260K.bin")) {
                Path p = dir.resolve(rel).normalize();
                if (Files.isRegularFile(p)) {
                    return p;
                }
            }
        }
        return null;
    }

    private static Figure stories(Ctx c) throws Exception {
        Path p = findStories(c.options.stories());
        String name = "decode_stories260k_b1_tokens_per_s";
        if (p == null) {
            return Figure.missing(name, "tokens/s", "stories260K.bin not found (pass --stories PATH)");
        }
        try (NDManager m = c.manager.newSubManager()) {
            LoadedModel lm = ModelLoader.load(p, m);
            try (Transformer t = lm.transformer()) {
                double v = InferenceBench.decodeTokensPerSecond(t, 1, 1, c.options.quick() ? 64 : 200, c.reps(3));
                return Figure.ok(name, v, "tokens/s", "greedy from bos, KV cache, " + p.getFileName());
            }
        }
    }
}
