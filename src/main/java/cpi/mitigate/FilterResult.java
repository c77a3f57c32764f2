package cpi.mitigate;

import cpi.train.IftExample;

import java.util.List;

/**
 * What a selector kept and dropped, in input order. scores[i] is example i's score (input order) when the
 * selector scores (no-context loss), else null. threshold separates kept from dropped scores (NaN when
 * the selector does not score).
 */
public record FilterResult(String selector, List<IftExample> kept, List<IftExample> dropped, double[] scores,
                           double threshold) {
    public FilterResult {
        kept = List.copyOf(kept);
        dropped = List.copyOf(dropped);
    }

    public int total() {
        return kept.size() + dropped.size();
    }

    public double droppedFraction() {
        return total() == 0 ? 0 : (double) dropped.size() / total();
    }
}
