package cpi.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;

/**
 * Batched autoregressive generation with a KV cache. Prompts of different lengths are LEFT-padded to
 * a common length and the padding is masked out (the transformer derives positions from the mask), so
 * every prompt continues exactly as it would alone. One prefill pass over the prompts, then one
 * single-token pass per new token; rows that finished keep feeding padding until all are done.
 */
public final class Generator {
    /** Decides after each new token whether a row is done (stop strings need the tokenizer). */
    @FunctionalInterface
    public interface StopCheck {
        boolean shouldStop(int row, int[] generatedSoFar);
    }

    private Generator() {}

    /** Contract entry point: no stop strings beyond eos, prompts that overflow the context are cut from the left. */
    public static List<int[]> generate(Transformer model, List<int[]> prompts, GenerationOptions opts, int padId,
                                       OptionalInt eos) {
        return generate(model, prompts, opts, padId, eos, null, ContextPolicy.TRUNCATE_LEFT);
    }

    /**
     * Generates up to opts.maxNewTokens() ids per prompt. A row stops at eos (not included in its
     * output), when stop says so (the ids that triggered it are kept; callers trim text), or at the
     * model's context limit. Returns the new ids only, one array per prompt, in order.
     */
    public static List<int[]> generate(Transformer model, List<int[]> prompts, GenerationOptions opts, int padId,
                                       OptionalInt eos, StopCheck stop, ContextPolicy overflow) {
        int n = prompts.size();
        List<int[]> out = new ArrayList<>(n);
        if (n == 0) {
            return out;
        }
        int maxPos = model.config().maxPositions();
        // Leave room for at least one new token; a longer request is capped at the context end below.
        int promptBudget = Math.max(1, maxPos - Math.max(1, Math.min(opts.maxNewTokens(), maxPos - 1)));
        int[][] fitted = new int[n][];
        int maxLen = 0;
        for (int i = 0; i < n; i++) {
            int[] p = prompts.get(i);
            if (p.length == 0) {
                throw new IllegalArgumentException("prompt " + i + " is empty: generation needs at least one token");
            }
            fitted[i] = overflow.fit(p, promptBudget, n == 1 ? "the prompt" : "prompt " + (i + 1));
            maxLen = Math.max(maxLen, fitted[i].length);
        }
        int maxNew = Math.min(opts.maxNewTokens(), maxPos - maxLen);
        int[][] generated = new int[n][maxNew];
        int[] count = new int[n];
        boolean[] done = new boolean[n];
        if (maxNew <= 0) {
            for (int i = 0; i < n; i++) {
                out.add(new int[0]);
            }
            return out;
        }
        Sampler[] samplers = new Sampler[n];
        for (int i = 0; i < n; i++) {
            samplers[i] = new Sampler(opts.temperature(), opts.topP(), opts.seed());
        }

        boolean padded = false;
        for (int[] f : fitted) {
            padded |= f.length != maxLen;
        }
        long[] ids = new long[n * maxLen];
        long[] mask = new long[n * (maxLen + maxNew)];
        int total = maxLen + maxNew;
        for (int i = 0; i < n; i++) {
            int pad = maxLen - fitted[i].length;
            for (int t = 0; t < maxLen; t++) {
                boolean real = t >= pad;
                ids[i * maxLen + t] = real ? fitted[i][t - pad] : padId;
                mask[i * total + t] = real ? 1 : 0;
            }
            for (int t = maxLen; t < total; t++) {
                mask[i * total + t] = 1;
            }
        }

        try (NDManager gen = model.manager().newSubManager(); KvCache cache = model.newCache(n, gen)) {
            int past = 0;
            long[] next = null;
            // Greedy: the argmax tensor [n, 1] is the next step's input as is, unless a row finished (then
            // its input is padding and the ids go host -> engine once).
            NDArray fed = null;
            int remaining = n;
            for (int step = 0; step < maxNew && remaining > 0; step++) {
                try (NDManager sm = gen.newSubManager()) {
                    NDArray input;
                    int len;
                    if (step == 0) {
                        input = sm.create(ids, new Shape(n, maxLen));
                        len = maxLen;
                    } else if (fed != null && remaining == n) {
                        input = fed;
                        input.attach(sm);
                        len = 1;
                    } else {
                        input = sm.create(next, new Shape(n, 1));
                        len = 1;
                        if (fed != null) {
                            fed.close();
                        }
                    }
                    fed = null;
                    // Without padding the mask carries no information: null lets the model skip building it.
                    NDArray m = padded ? sm.create(sliceMask(mask, n, total, past + len), new Shape(n, past + len)) : null;
                    // lastOnly: the LM head runs on the last position only (it dominates big-vocabulary prefill).
                    NDArray last = model.forward(input, m, cache, false, null, true); // [n, 1, V]
                    int[] chosen;
                    if (samplers[0].greedy()) {
                        // Argmax on the engine side: one int per row crosses to the host.
                        fed = last.argMax(2); // [n, 1]
                        long[] am = fed.toLongArray();
                        chosen = new int[n];
                        for (int i = 0; i < n; i++) {
                            chosen[i] = (int) am[i];
                        }
                        fed.attach(gen);
                    } else {
                        chosen = sample(last.reshape(n, -1), samplers, done);
                    }
                    past += len;
                    next = new long[n];
                    for (int i = 0; i < n; i++) {
                        if (done[i]) {
                            next[i] = padId;
                            continue;
                        }
                        int tok = chosen[i];
                        if (eos.isPresent() && tok == eos.getAsInt()) {
                            done[i] = true;
                            remaining--;
                            next[i] = padId;
                            continue;
                        }
                        generated[i][count[i]++] = tok;
                        next[i] = tok;
                        if (stop != null && stop.shouldStop(i, Arrays.copyOf(generated[i], count[i]))) {
                            done[i] = true;
                            remaining--;
                        }
                    }
                }
            }
        }
        for (int i = 0; i < n; i++) {
            out.add(Arrays.copyOf(generated[i], count[i]));
        }
        return out;
    }

    private static long[] sliceMask(long[] mask, int n, int total, int width) {
        if (width == total) {
            return mask;
        }
        long[] m = new long[n * width];
        for (int i = 0; i < n; i++) {
            System.arraycopy(mask, i * total, m, i * width, width);
        }
        return m;
    }

    /** Sampled rows: the logits [n, V] are copied to the host and each row draws from its own stream. */
    private static int[] sample(NDArray lastLogits, Sampler[] samplers, boolean[] done) {
        int n = samplers.length;
        int[] chosen = new int[n];
        float[] flat = lastLogits.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
        int v = flat.length / n;
        for (int i = 0; i < n; i++) {
            if (!done[i]) {
                chosen[i] = samplers[i].sample(flat, i * v, v);
            }
        }
        return chosen;
    }
}
