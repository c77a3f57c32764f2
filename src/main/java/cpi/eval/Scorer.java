package cpi.eval;

import cpi.data.ConflictItem;

/** Decides whether a model followed the context, its memory, both or neither on one item. */
public interface Scorer {

    String name();

    /** True when the scorer compares the answers' log-likelihoods instead of reading generated text. */
    default boolean usesLogLikelihood() {
        return false;
    }

    /** The verdict on a generated output (not called for log-likelihood scorers). */
    Judgement judge(ConflictItem item, String output);
}
