package cpi.data;

/** One problem found by {@link DataValidator}: the item, what kind of problem, and a readable detail. */
public record ValidationIssue(String itemId, Kind kind, String detail) {

    public enum Kind {
        EMPTY_FIELD("empty field"),
        COUNTERFACTUAL_NOT_IN_CONTEXT("counterfactual answer not in context"),
        ANSWERS_EQUAL("answers equal"),
        NON_ATOMIC_ANSWER("non-atomic answer"),
        DUPLICATE("duplicate");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }
}
