package cpi.train;

/**
 * Optimizer and step settings of a {@link Trainer}. AdamW with decoupled weight decay (applied to
 * matrices, not to biases and norm gains), warmup then constant/linear/cosine decay, global-norm
 * gradient clipping (0 = off), micro-batches of at most {@code microBatchTokens} padded tokens, dropout
 * during training steps. The seed fixes dropout masks per step, so a resumed run draws the same masks.
 */
public record TrainerOptions(TrainMode mode, double lr, LrSchedule.Kind schedule, long warmupSteps, long totalSteps,
                             double minLr, double weightDecay, double beta1, double beta2, double eps,
                             double maxGradNorm, int microBatchTokens, double dropout, long seed, LoraOptions lora) {

    public TrainerOptions {
        if (mode == null) {
            mode = TrainMode.FULL;
        }
        if (lora == null) {
            lora = LoraOptions.defaults();
        }
        if (microBatchTokens < 1) {
            throw new cpi.util.UserError("--micro-batch-tokens must be positive, got " + microBatchTokens);
        }
    }

    public static TrainerOptions defaults(TrainMode mode, double lr, long totalSteps) {
        return new TrainerOptions(mode, lr, LrSchedule.Kind.LINEAR, 0, totalSteps, 0, 0.0, 0.9, 0.999, 1e-8, 1.0,
                4096, 0.0, 0, LoraOptions.defaults());
    }

    public LrSchedule lrSchedule() {
        return new LrSchedule(schedule, lr, minLr, warmupSteps, Math.max(1, totalSteps));
    }

    public TrainerOptions withSeed(long s) {
        return new TrainerOptions(mode, lr, schedule, warmupSteps, totalSteps, minLr, weightDecay, beta1, beta2, eps,
                maxGradNorm, microBatchTokens, dropout, s, lora);
    }

    public TrainerOptions withLora(LoraOptions l) {
        return new TrainerOptions(mode, lr, schedule, warmupSteps, totalSteps, minLr, weightDecay, beta1, beta2, eps,
                maxGradNorm, microBatchTokens, dropout, seed, l);
    }

    public TrainerOptions withSchedule(LrSchedule.Kind k, long warmup) {
        return new TrainerOptions(mode, lr, k, warmup, totalSteps, minLr, weightDecay, beta1, beta2, eps,
                maxGradNorm, microBatchTokens, dropout, seed, lora);
    }

    public TrainerOptions withRegularization(double wd, double clip, double drop) {
        return new TrainerOptions(mode, lr, schedule, warmupSteps, totalSteps, minLr, wd, beta1, beta2, eps,
                clip, microBatchTokens, drop, seed, lora);
    }

    public TrainerOptions withMicroBatchTokens(int t) {
        return new TrainerOptions(mode, lr, schedule, warmupSteps, totalSteps, minLr, weightDecay, beta1, beta2, eps,
                maxGradNorm, t, dropout, seed, lora);
    }
}
