package cpi.train;

import java.util.List;

/**
 * LoRA hyperparameters. targets are module names (q, k, v, o, up, gate, down; see
 * {@link cpi.model.ParamRole#moduleName()}).
 */
public record LoraOptions(int rank, double alpha, double dropout, List<String> targets) {
    public LoraOptions {
        if (rank < 1) {
            throw new cpi.util.UserError("--lora-rank must be at least 1, got " + rank);
        }
        targets = List.copyOf(targets);
    }

    public static LoraOptions defaults() {
        return new LoraOptions(8, 16, 0.05, List.of("q", "k", "v", "o"));
    }

    public double scale() {
        return alpha / rank;
    }
}
