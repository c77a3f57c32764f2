package cpi.mitigate;

/**
 * A context-QA item as augmentation reads it. parametricAnswer is non-null for cpi conflict-schema items
 * (the context already contradicts memory: used as is); for plain context-QA (SQuAD-style) it is null and
 * the answer is substituted in the context.
 */
public record ContextQaItem(String id, String question, String context, String answer, String parametricAnswer) {
    public boolean isConflict() {
        return parametricAnswer != null;
    }
}
