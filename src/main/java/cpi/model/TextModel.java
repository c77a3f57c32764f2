package cpi.model;

import java.util.List;

/**
 * What evaluation, filtering and reports need from a language model, at the level of text: an
 * in-process DJL transformer and a served model (OpenAI-compatible HTTP) both implement it.
 */
public interface TextModel extends AutoCloseable {

    /** Provenance id: "sha256:..." of the weights for a local model, or the served model's name. */
    String fingerprint();

    /** Greedy or sampled completions, one per prompt, in order. */
    List<String> generate(List<String> prompts, GenerationOptions options);

    /**
     * Sum of log p(continuation tokens | prompt) for each (prompt, continuation) pair, in order. The
     * continuation is tokenized in context (as it follows the prompt), so a leading space belongs to it.
     */
    double[] logLikelihood(List<String> prompts, List<String> continuations);

    @Override
    default void close() {}
}
