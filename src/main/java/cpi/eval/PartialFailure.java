package cpi.eval;

import java.util.List;

/**
 * Thrown by a {@link cpi.model.TextModel} call that completed some prompts but not others (a served model
 * whose retries ran out on a few requests). Index i of outputs (or logLikelihoods) is valid iff errors[i]
 * is null; the evaluator keeps the good ones and marks the rest failed, to be retried on resume.
 */
public final class PartialFailure extends RuntimeException {
    private final List<String> outputs;
    private final double[] logLikelihoods;
    private final List<String> errors;

    public PartialFailure(List<String> outputs, double[] logLikelihoods, List<String> errors) {
        super(firstError(errors));
        this.outputs = outputs;
        this.logLikelihoods = logLikelihoods;
        this.errors = errors;
    }

    public List<String> outputs() {
        return outputs;
    }

    public double[] logLikelihoods() {
        return logLikelihoods;
    }

    public List<String> errors() {
        return errors;
    }

    /** True when every request failed (nothing usable). */
    public boolean total() {
        return errors.stream().allMatch(e -> e != null);
    }

    private static String firstError(List<String> errors) {
        long n = errors.stream().filter(e -> e != null).count();
        return n + " of " + errors.size() + " requests failed; first: "
                + errors.stream().filter(e -> e != null).findFirst().orElse("none");
    }
}
