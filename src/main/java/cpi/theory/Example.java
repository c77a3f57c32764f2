package cpi.theory;

/**
 * One input sequence whose last token is the query (always r here).
 *
 * @param kind             datapoint class
 * @param tokens           [c, s, r] or [s, r]
 * @param target           the trained answer (the context token c for 3-token points, a for [s, r]); for test
 *                         items the counterfactual answer c that M_C credits
 * @param memorisedAnswer  the answer the subject's value predicts (C+S: = c; S seen and test: a), or −1
 */
public record Example(PointKind kind, int[] tokens, int target, int memorisedAnswer) {
    public int query() {
        return tokens[tokens.length - 1];
    }

    /** The context token of a 3-token point, or −1. */
    public int context() {
        return tokens.length == 3 ? tokens[0] : -1;
    }

    public int subject() {
        return tokens[tokens.length - 2];
    }
}
