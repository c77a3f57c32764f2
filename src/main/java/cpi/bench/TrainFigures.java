package cpi.bench;

import ai.djl.ndarray.NDManager;
import cpi.model.ModelConfig;
import cpi.model.Transformer;
import cpi.train.TokenExample;
import cpi.train.Trainer;
import cpi.train.TrainerOptions;
import cpi.train.TrainMode;
import cpi.train.TransformerModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Training figures through the product's own {@link Trainer}: tokens/s of full steps (forward, backward,
 * AdamW; no clipping or weight decay, as torch_reference.py) and the no-leak memory check.
 */
final class TrainFigures {
    /** Same batch shapes as torch_reference.py: demo seq 64 × batch 32, Pythia-70m seq 256 × batch 2. */
    static final int DEMO_SEQ = 64;
    static final int DEMO_BATCH = 32;
    static final int PYTHIA_SEQ = 256;
    static final int PYTHIA_BATCH = 2;

    private TrainFigures() {}

    static List<TokenExample> randomBatch(int vocab, int seq, int batch, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<TokenExample> out = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            // seq tokens through the model per row, as torch_reference.py's x = ids[:, :-1]
            int[] ids = new int[seq];
            boolean[] mask = new boolean[seq];
            for (int i = 0; i < seq; i++) {
                ids[i] = r.nextInt(vocab);
                mask[i] = i > 0;
            }
            out.add(new TokenExample(ids, mask));
        }
        return out;
    }

    static Trainer trainer(Transformer t, int tokensPerStep) {
        TrainerOptions o = TrainerOptions.defaults(TrainMode.FULL, 1e-4, 1_000_000)
                .withRegularization(0.0, 0.0, 0.0)
                .withMicroBatchTokens(tokensPerStep);
        return new Trainer(new TransformerModel(t), o, 0);
    }

    static Figure trainTokensPerSecond(Bench.Ctx c, String shape) throws Exception {
        boolean demo = shape.equals("demo");
        String json = demo ? BenchModels.DEMO : BenchModels.PYTHIA_70M;
        int seq = demo ? DEMO_SEQ : PYTHIA_SEQ;
        int batch = demo ? DEMO_BATCH : PYTHIA_BATCH;
        int steps = demo ? (c.options().quick() ? 3 : 8) : (c.options().quick() ? 2 : 3);
        ModelConfig cfg = BenchModels.config(json);
        List<TokenExample> data = randomBatch(cfg.vocabSize(), seq, batch, 1);
        try (NDManager m = c.manager.newSubManager(); Transformer t = Transformer.random(cfg, 0L, m);
             Trainer tr = trainer(t, seq * batch)) {
            double s = Timing.medianSeconds(() -> tr.step(data), 1, steps);
            double tps = batch * seq / s;
            String name = "train_" + shape + "_tokens_per_s";
            double flops = 3 * Bench.forwardFlopsPerToken(cfg, seq / 2.0, 1.0);
            return Figure.ok(name, tps, "tokens/s", String.format(Locale.ROOT,
                    "fwd+bwd+AdamW, seq %d x batch %d; %.1f GFLOP/s", seq, batch, tps * flops / 1e9));
        }
    }

    /**
     * Resident memory after N demo-model training steps vs after step 100 (the no-leak target:
     * within 10%). Quick mode runs 300 steps.
     */
    static Figure memory(Bench.Ctx c) throws Exception {
        int total = c.options().quick() ? 300 : 2000;
        int batch = 8;
        ModelConfig cfg = BenchModels.config(BenchModels.DEMO);
        List<TokenExample> data = randomBatch(cfg.vocabSize(), DEMO_SEQ, batch, 2);
        long at100 = -1;
        long atEnd;
        try (NDManager m = c.manager.newSubManager(); Transformer t = Transformer.random(cfg, 0L, m);
             Trainer tr = trainer(t, DEMO_SEQ * batch)) {
            for (int i = 1; i <= total; i++) {
                tr.step(data);
                if (i == 100) {
                    System.gc();
                    at100 = Timing.rssBytes();
                }
            }
            System.gc();
            atEnd = Timing.rssBytes();
        }
        if (at100 <= 0 || atEnd <= 0) {
            return Figure.missing("memory_rss_growth_pct", "%", "no /proc/self/status on this system");
        }
        double pct = 100.0 * (atEnd - at100) / at100;
        return Figure.ok("memory_rss_growth_pct", pct, "%", String.format(Locale.ROOT,
                "RSS %.0f MB at step 100, %.0f MB at step %d (demo model, batch %d x %d); target <= 10",
                at100 / 1e6, atEnd / 1e6, total, batch, DEMO_SEQ));
    }
}
