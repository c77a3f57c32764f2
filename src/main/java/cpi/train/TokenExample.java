package cpi.train;

/**
 * A tokenized training sequence. The loss covers predicting {@code ids[t]} from {@code ids[0..t-1]}
 * wherever {@code lossMask[t]} is true (response tokens); prompt tokens are context only.
 */
public record TokenExample(int[] ids, boolean[] lossMask) {
    public TokenExample {
        if (ids.length != lossMask.length) {
            throw new IllegalArgumentException("ids and lossMask differ in length: " + ids.length + " vs "
                    + lossMask.length);
        }
    }

    public int length() {
        return ids.length;
    }

    /** Number of positions that carry loss (position 0 never does: nothing predicts it). */
    public int lossTokens() {
        int n = 0;
        for (int t = 1; t < lossMask.length; t++) {
            if (lossMask[t]) {
                n++;
            }
        }
        return n;
    }
}
