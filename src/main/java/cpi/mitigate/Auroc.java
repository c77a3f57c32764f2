package cpi.mitigate;

import java.util.Arrays;

/** Area under the ROC curve of a score for separating positives from negatives (Mann–Whitney, ties ½). */
public final class Auroc {
    private Auroc() {}

    /** NaN when either class is empty; non-finite scores are left out. */
    public static double of(double[] scores, boolean[] positive) {
        int n = scores.length;
        Integer[] idx = new Integer[n];
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (Double.isFinite(scores[i])) {
                idx[m++] = i;
            }
        }
        Integer[] order = Arrays.copyOf(idx, m);
        Arrays.sort(order, (a, b) -> Double.compare(scores[a], scores[b]));
        double rankSumPos = 0;
        long pos = 0;
        int i = 0;
        while (i < m) {
            int j = i;
            while (j + 1 < m && scores[order[j + 1]] == scores[order[i]]) {
                j++;
            }
            double avgRank = (i + j) / 2.0 + 1; // ties share their mean rank
            for (int k = i; k <= j; k++) {
                if (positive[order[k]]) {
                    rankSumPos += avgRank;
                    pos++;
                }
            }
            i = j + 1;
        }
        long neg = m - pos;
        if (pos == 0 || neg == 0) {
            return Double.NaN;
        }
        return (rankSumPos - pos * (pos + 1) / 2.0) / ((double) pos * neg);
    }
}
