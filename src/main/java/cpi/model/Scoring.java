package cpi.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Log-likelihood of continuations given prompts, batched. Items are sorted by length and cut into
 * buckets of at most maxBatchTokens padded tokens, so little compute goes to padding (masked, it
 * changes no real position). The LM head, log-softmax and the copy to the host touch only the
 * positions that predict continuation tokens (see scoreBatch).
 */
public final class Scoring {
    /** A reasonable default bucket size for CPU inference. */
    public static final int DEFAULT_BATCH_TOKENS = 4096;

    private Scoring() {}

    /**
     * Per-token log p(continuation[j] | prompt, continuation[0..j)) for every item, in order. Prompts
     * must hold at least one token (prepend bos); an empty continuation gives an empty array.
     */
    public static double[][] continuationLogProbs(Transformer model, List<int[]> prompts, List<int[]> continuations,
                                                  int maxBatchTokens) {
        return continuationLogProbs(model, prompts, continuations, maxBatchTokens, ContextPolicy.TRUNCATE_LEFT);
    }

    public static double[][] continuationLogProbs(Transformer model, List<int[]> prompts, List<int[]> continuations,
                                                  int maxBatchTokens, ContextPolicy overflow) {
        int n = prompts.size();
        if (continuations.size() != n) {
            throw new IllegalArgumentException(n + " prompts but " + continuations.size() + " continuations");
        }
        int maxPos = model.config().maxPositions();
        int[][] seqs = new int[n][];
        int[] promptLen = new int[n];
        double[][] result = new double[n][];
        List<Integer> todo = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] p = prompts.get(i);
            int[] c = continuations.get(i);
            if (p.length == 0) {
                throw new IllegalArgumentException("item " + i + ": empty prompt (prepend the bos token)");
            }
            result[i] = new double[c.length];
            if (c.length == 0) {
                continue;
            }
            if (c.length >= maxPos) {
                throw new cpi.util.UserError("item " + (i + 1) + ": continuation of " + c.length
                        + " tokens does not fit the model's context of " + maxPos + " positions");
            }
            int[] fp = overflow.fit(p, maxPos - c.length, "prompt of item " + (i + 1));
            int[] s = Arrays.copyOf(fp, fp.length + c.length);
            System.arraycopy(c, 0, s, fp.length, c.length);
            seqs[i] = s;
            promptLen[i] = fp.length;
            todo.add(i);
        }
        // Buckets: longest prompts first (the first batch shows the peak memory right away), items with the
        // same prompt next to each other so a bucket runs each distinct prompt once (see scoreBatch).
        java.util.Map<String, Integer> group = new java.util.HashMap<>();
        int[] groupOf = new int[n];
        for (int i : todo) {
            groupOf[i] = group.computeIfAbsent(Arrays.toString(Arrays.copyOf(seqs[i], promptLen[i])), k -> group.size());
        }
        todo.sort(Comparator.comparingInt((Integer i) -> -promptLen[i]).thenComparingInt(i -> groupOf[i])
                .thenComparingInt(i -> -seqs[i].length));
        int start = 0;
        while (start < todo.size()) {
            int wp = 0;
            int wc = 0;
            int end = start;
            while (end < todo.size()) {
                int i = todo.get(end);
                int p = Math.max(wp, promptLen[i]);
                int c = Math.max(wc, seqs[i].length - promptLen[i]);
                if (end > start && (long) (end - start + 1) * (p + c) > maxBatchTokens) {
                    break;
                }
                wp = p;
                wc = c;
                end++;
            }
            scoreBatch(model, todo.subList(start, end), seqs, promptLen, groupOf, result);
            start = end;
        }
        return result;
    }

    /** Summed log-likelihood per item (the TextModel measure). */
    public static double[] sums(double[][] perToken) {
        double[] s = new double[perToken.length];
        for (int i = 0; i < perToken.length; i++) {
            for (double v : perToken[i]) {
                s[i] += v;
            }
        }
        return s;
    }

    /**
     * Two passes per bucket so the LM head (which dominates for big vocabularies) runs only where it is
     * needed: (1) the prompts, LEFT-padded so every prompt ends in the same column, through the model
     * into a KV cache with the head on that last column only (it predicts each continuation's first
     * token); (2) the continuations, RIGHT-padded, on top of the cache, with the head on their C columns
     * (column j predicts token j+1). Padding is masked in both passes; positions come from the mask.
     */
    private static void scoreBatch(Transformer model, List<Integer> batch, int[][] seqs, int[] promptLen,
                                   int[] groupOf, double[][] result) {
        int b = batch.size();
        // Distinct prompts of the bucket: pass 1 runs each once; its cache rows are then repeated per item.
        java.util.Map<Integer, Integer> rowOfGroup = new java.util.LinkedHashMap<>();
        long[] rowOf = new long[b];
        for (int r = 0; r < b; r++) {
            rowOf[r] = rowOfGroup.computeIfAbsent(groupOf[batch.get(r)], g -> rowOfGroup.size());
        }
        int u = rowOfGroup.size();
        int wp = 0;
        int wc = 0;
        for (int i : batch) {
            wp = Math.max(wp, promptLen[i]);
            wc = Math.max(wc, seqs[i].length - promptLen[i]);
        }
        long[] promptIds = new long[u * wp];
        long[] promptMaskIds = new long[u * wp];
        long[] contIds = new long[b * wc];
        long[] mask = new long[b * (wp + wc)];
        long[] firstTarget = new long[b];
        long[] restTarget = new long[b * wc];
        for (int r = 0; r < b; r++) {
            int[] s = seqs[batch.get(r)];
            int p = promptLen[batch.get(r)];
            int c = s.length - p;
            int pad = wp - p;
            int pr = (int) rowOf[r];
            for (int t = 0; t < p; t++) {
                promptIds[pr * wp + pad + t] = s[t];
                promptMaskIds[pr * wp + pad + t] = 1;
                mask[r * (wp + wc) + pad + t] = 1;
            }
            for (int j = 0; j < c; j++) {
                contIds[r * wc + j] = s[p + j];
                mask[r * (wp + wc) + wp + j] = 1;
            }
            firstTarget[r] = s[p];
            for (int j = 0; j + 1 < c; j++) {
                restTarget[r * wc + j] = s[p + j + 1];
            }
        }
        boolean shared = u < b;
        float[] first;
        float[] rest = null;
        try (NDManager sm = model.manager().newSubManager(); KvCache cache = model.newCache(u, sm)) {
            NDArray promptMask = sm.create(promptMaskIds, new Shape(u, wp));
            NDArray lastLogits = model.forward(sm.create(promptIds, new Shape(u, wp)), promptMask, cache, false, null, true)
                    .reshape(u, -1);
            if (shared) {
                lastLogits = lastLogits.get(new ai.djl.ndarray.index.NDIndex("{}", sm.create(rowOf)));
            }
            first = pick(lastLogits, sm.create(firstTarget, new Shape(b, 1)));
            if (wc > 1) {
                try (KvCache rows = shared ? cache.select(rowOf, sm) : null) {
                    NDArray logits = model.forward(sm.create(contIds, new Shape(b, wc)),
                            sm.create(mask, new Shape(b, wp + wc)), shared ? rows : cache, false, null, false);
                    rest = pick(logits.reshape((long) b * wc, -1), sm.create(restTarget, new Shape((long) b * wc, 1)));
                }
            }
        }
        for (int r = 0; r < b; r++) {
            double[] out = result[batch.get(r)];
            out[0] = first[r];
            for (int j = 1; j < out.length; j++) {
                out[j] = rest[r * wc + j - 1];
            }
        }
    }

    /** log_softmax(logits)[row, target[row]] for every row of [N, V] logits. */
    private static float[] pick(NDArray logits, NDArray targets) {
        return logits.logSoftmax(1).gather(targets, 1).toFloatArray();
    }
}
