package cpi.train;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits one optimizer step's examples into micro-batches whose padded size (rows × longest row) stays
 * within a token budget, in order. A single example longer than the budget forms its own micro-batch.
 */
public final class MicroBatcher {
    private MicroBatcher() {}

    public static List<List<TokenExample>> split(List<TokenExample> batch, int tokenBudget) {
        List<List<TokenExample>> out = new ArrayList<>();
        List<TokenExample> cur = new ArrayList<>();
        int longest = 0;
        for (TokenExample ex : batch) {
            int l = Math.max(longest, ex.length());
            if (!cur.isEmpty() && (long) l * (cur.size() + 1) > tokenBudget) {
                out.add(cur);
                cur = new ArrayList<>();
                l = ex.length();
            }
            cur.add(ex);
            longest = l;
        }
        if (!cur.isEmpty()) {
            out.add(cur);
        }
        return out;
    }
}
