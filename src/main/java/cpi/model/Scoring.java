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
        // Length buckets: longest first, so the first batch shows the peak memory right away.
        todo.sort(Comparator.comparingInt((Integer i) -> seqs[i].length).reversed());
        int start = 0;
        while (start < todo.size()) {
            int longest = seqs[todo.get(start)].length;
            int rows = Math.max(1, maxBatchTokens / longest);
            int end = Math.min(todo.size(), start + rows);
            scoreBatch(model, todo.subList(start, end), seqs, promptLen, result);
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
                                   double[][] result) {
        int b = batch.size();
        int wp = 0;
        int wc = 0;
        for (int i : batch) {
            wp = Math.max(wp, promptLen[i]);
            wc = Math.max(wc, seqs[i].length - promptLen[i]);
        }
        long[] promptIds = new long[b * wp];
        long[] contIds = new long[b * wc];
        long[] mask = new long[b * (wp + wc)];
        long[] firstTarget = new long[b];
        long[] restTarget = new long[b * wc];
        for (int r = 0; r < b; r++) {
            int[] s = seqs[batch.get(r)];
            int p = promptLen[batch.get(r)];
            int c = s.length - p;
            int pad = wp - p;
            for (int t = 0; t < p; t++) {
                promptIds[r * wp + pad + t] = s[t];
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
        float[] first;
        float[] rest = null;
        try (NDManager sm = model.manager().newSubManager(); KvCache cache = model.newCache(b, sm)) {
            NDArray promptMask = sm.create(sliceColumns(mask, b, wp + wc, wp), new Shape(b, wp));
            NDArray lastLogits = model.forward(sm.create(promptIds, new Shape(b, wp)), promptMask, cache, false, null, true);
            first = pick(lastLogits.reshape(b, -1), sm.create(firstTarget, new Shape(b, 1)));
            if (wc > 1) {
                NDArray logits = model.forward(sm.create(contIds, new Shape(b, wc)),
                        sm.create(mask, new Shape(b, wp + wc)), cache, false, null, false);
                rest = pick(logits.reshape((long) b * wc, -1), sm.create(restTarget, new Shape((long) b * wc, 1)));
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

    private static long[] sliceColumns(long[] m, int rows, int width, int keep) {
        long[] out = new long[rows * keep];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(m, r * width, out, r * keep, keep);
        }
        return out;
    }
}
