package cpi.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import cpi.model.ContextPolicy;
import cpi.model.GenerationOptions;
import cpi.model.Generator;
import cpi.model.Transformer;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.SplittableRandom;

/**
 * Inference figures: the matmul ceiling, prefill and KV-cached greedy decode through the product's
 * own {@link Generator} (same shapes and counts as tools/bench/torch_reference.py).
 */
public final class InferenceBench {
    private InferenceBench() {}

    /** float32 1024x1024 @ 1024x1024 through the engine: the best case for this machine. */
    public static double matmulGflops(NDManager manager, boolean quick) throws Exception {
        int n = 1024;
        try (NDManager m = manager.newSubManager()) {
            NDArray a = m.randomNormal(new Shape(n, n));
            NDArray b = m.randomNormal(new Shape(n, n));
            double s = Timing.minSeconds(() -> {
                try (NDManager t = m.newSubManager()) {
                    NDArray c = a.matMul(b);
                    c.attach(t);
                    c.toFloatArray(); // forces completion; small next to the multiply
                }
            }, 2, quick ? 5 : 10);
            return 2.0 * n * n * n / s / 1e9;
        }
    }

    static List<int[]> randomPrompts(int batch, int length, int vocab, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<int[]> prompts = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
            int[] p = new int[length];
            for (int t = 0; t < length; t++) {
                p[t] = r.nextInt(vocab);
            }
            prompts.add(p);
        }
        return prompts;
    }

    private static double generateSeconds(Transformer model, List<int[]> prompts, int newTokens) {
        long t0 = System.nanoTime();
        Generator.generate(model, prompts, GenerationOptions.greedy(newTokens, List.of()), 0, OptionalInt.empty(),
                null, ContextPolicy.REFUSE);
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Prompt tokens/s: one prompt of the given length, KV cache filled and the next token chosen. */
    public static double prefillTokensPerSecond(Transformer model, int length, int reps) throws Exception {
        List<int[]> p = randomPrompts(1, length, model.config().vocabSize(), 2);
        double s = Timing.medianSeconds(() -> generateSeconds(model, p, 1), 1, reps);
        return length / s;
    }

    /**
     * Decode tokens/s (all rows): time of generating N tokens minus the time of generating 1 (the
     * prefill), over the N-1 single-token steps, as torch_reference.py times its decode loop.
     */
    public static double decodeTokensPerSecond(Transformer model, int batch, int promptLen, int newTokens, int reps) {
        List<int[]> p = randomPrompts(batch, promptLen, model.config().vocabSize(), 3);
        // Warm-up: at least two generations and about three seconds, so the JIT has compiled the per-token
        // Java path (a tiny model's decode step is ~100 engine calls; before C2 compiles their wrappers, the
        // demo shape decodes 2-3x slower, and on a busy machine the compiler threads take a while).
        // torch_reference.py warms up once: CPython has no JIT to wait for.
        long warmUntil = System.nanoTime() + 3_000_000_000L;
        for (int i = 0; i < 2 || (i < 200 && System.nanoTime() < warmUntil); i++) {
            generateSeconds(model, p, newTokens);
        }
        double[] full = new double[reps];
        double[] pre = new double[reps];
        for (int i = 0; i < reps; i++) {
            pre[i] = generateSeconds(model, p, 1);
            full[i] = generateSeconds(model, p, newTokens);
        }
        double decode = Math.max(1e-9, Timing.median(full) - Timing.median(pre));
        return (double) batch * (newTokens - 1) / decode;
    }
}
