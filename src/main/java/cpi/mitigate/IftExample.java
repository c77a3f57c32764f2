package cpi.mitigate;

/**
 * Stand-in for {@code cpi.train.IftExample} (same fields) until helper "train" lands it on main; then this
 * file is deleted and the imports switch. kind: context_critical / non_context_critical / closed_book /
 * counterfactual, or null. closedBookPrompt: a no-context statement-form prompt the base model can answer.
 */
public record IftExample(String id, String instruction, String input, String output, String kind,
                         String closedBookPrompt) {

    public boolean hasInput() {
        return input != null && !input.isBlank();
    }
}
