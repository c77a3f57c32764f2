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
 * buckets of at most maxBatchTokens padded tokens, so little compute goes to padding; padding is on
 * the right and masked, and causal attention means it changes no real position. Only the positions
 * that predict continuation tokens go through log-softmax and are copied back to the host.
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

    private static void scoreBatch(Transformer model, List<Integer> batch, int[][] seqs, int[] promptLen,
                                   double[][] result) {
        int b = batch.size();
        int width = 0;
        int targets = 0;
        for (int i : batch) {
            width = Math.max(width, seqs[i].length);
            targets += seqs[i].length - promptLen[i];
        }
        long[] ids = new long[b * width];
        long[] mask = new long[b * width];
        // Flat row indices (into [b*width]) of the positions that predict continuation tokens, and the targets.
        long[] rowsAt = new long[targets];
        long[] target = new long[targets];
        int k = 0;
        for (int r = 0; r < b; r++) {
            int[] s = seqs[batch.get(r)];
            int p = promptLen[batch.get(r)];
            for (int t = 0; t < s.length; t++) {
                ids[r * width + t] = s[t];
                mask[r * width + t] = 1;
            }
            for (int t = p; t < s.length; t++) {
                rowsAt[k] = (long) r * width + t - 1;
                target[k] = s[t];
                k++;
            }
        }
        float[] lp;
        try (NDManager sm = model.manager().newSubManager()) {
            NDArray input = sm.create(ids, new Shape(b, width));
            NDArray m = sm.create(mask, new Shape(b, width));
            NDArray at = sm.create(rowsAt);
            NDArray logits = model.forward(input, m, null, false, null);
            long v = logits.getShape().get(2);
            NDArray picked = logits.reshape(-1, v).get(at);
            NDArray logp = picked.logSoftmax(1);
            NDArray tg = sm.create(target, new Shape(targets, 1));
            lp = logp.gather(tg, 1).toFloatArray();
        }
        k = 0;
        for (int r = 0; r < b; r++) {
            int i = batch.get(r);
            for (int j = 0; j < result[i].length; j++) {
                result[i][j] = lp[k++];
            }
        }
    }
}
