package cpi.train;

import ai.djl.ndarray.NDManager;
import cpi.bench.BenchModels;
import cpi.model.ModelConfig;
import cpi.model.Transformer;
import cpi.util.Djl;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Training throughput: tokens per second of full optimizer steps (forward, backward, clipping, AdamW) on
 * a randomly initialised model of a given shape, for full, LoRA and QK-only training. One warm-up step
 * per mode is not timed. Used by {@code cpi bench --only train}.
 */
public final class TrainBench {
    private TrainBench() {}

    /** By bench shape name: "demo" or "pythia70m" (cpi.bench.BenchModels), else a config.json path. */
    public static Map<TrainMode, Double> run(String shape, int seqLen, int batch, int steps) {
        String s = shape.toLowerCase(java.util.Locale.ROOT).replace("-", "").replace("_", "");
        ModelConfig cfg = switch (s) {
            case "demo" -> BenchModels.config(BenchModels.DEMO);
            case "pythia70m" -> BenchModels.config(BenchModels.PYTHIA_70M);
            default -> ModelConfig.read(java.nio.file.Path.of(shape));
        };
        return run(cfg, seqLen, batch, steps);
    }

    /** Tokens/s per mode (tokens = batch × seqLen per step, all of them carrying loss). */
    public static Map<TrainMode, Double> run(ModelConfig shape, int seqLen, int batch, int steps) {
        Djl.engine();
        Map<TrainMode, Double> out = new EnumMap<>(TrainMode.class);
        List<TokenExample> data = randomBatch(shape.vocabSize(), seqLen, batch, 7);
        for (TrainMode mode : TrainMode.values()) {
            try (NDManager m = NDManager.newBaseManager()) {
                Transformer t = Transformer.random(shape, 0, m);
                TrainerOptions o = TrainerOptions.defaults(mode, 1e-4, steps + 1)
                        .withMicroBatchTokens(Math.max(seqLen * batch, 1));
                try (Trainer tr = new Trainer(new TransformerModel(t), o, 0)) {
                    tr.step(data);
                    long t0 = System.nanoTime();
                    for (int i = 0; i < steps; i++) {
                        tr.step(data);
                    }
                    double secs = (System.nanoTime() - t0) / 1e9;
                    out.put(mode, (double) steps * batch * seqLen / secs);
                }
            }
        }
        return out;
    }

    static List<TokenExample> randomBatch(int vocab, int seqLen, int batch, long seed) {
        Random r = new Random(seed);
        List<TokenExample> out = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            int[] ids = new int[seqLen];
            boolean[] mask = new boolean[seqLen];
            for (int i = 0; i < seqLen; i++) {
                ids[i] = r.nextInt(vocab);
                mask[i] = true;
            }
            out.add(new TokenExample(ids, mask));
        }
        return out;
    }
}
