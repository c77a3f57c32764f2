package cpi.mitigate;

import cpi.train.IftExample;

import java.util.ArrayList;
import java.util.List;

/**
 * Keeps only examples with a non-empty input (paper §4.2: finetune on the context-based part of the
 * mixture). Whitespace-only inputs count as empty.
 */
public final class HasContextSelector implements ExampleSelector {
    @Override
    public FilterResult select(List<IftExample> examples) {
        List<IftExample> kept = new ArrayList<>();
        List<IftExample> dropped = new ArrayList<>();
        for (IftExample e : examples) {
            (e.hasInput() ? kept : dropped).add(e);
        }
        return new FilterResult("has-context", kept, dropped, null, Double.NaN);
    }
}
