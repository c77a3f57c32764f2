package cpi.data;

import java.util.List;

/**
 * One knowledge-conflict item, the schema every conflict dataset is loaded into. The context
 * supports {@code counterfactualAnswer}; the model's memory supports {@code parametricAnswer}.
 * aliases are extra accepted spellings of the counterfactual answer; stratum groups items for
 * per-stratum metrics (e.g. "capital" vs "other").
 */
public record ConflictItem(String id, String source, String question, String context,
                           String counterfactualAnswer, String parametricAnswer,
                           List<String> aliases, String stratum) {
    public ConflictItem {
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
        stratum = stratum == null || stratum.isBlank() ? "all" : stratum;
    }
}
