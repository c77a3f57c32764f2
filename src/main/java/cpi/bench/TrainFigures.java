package cpi.bench;

/** Training figures (forward + backward + AdamW, and the no-leak memory check). */
final class TrainFigures {
    private TrainFigures() {}

    static Figure trainTokensPerSecond(Bench.Ctx c, String shape) {
        return Figure.missing("train_" + shape + "_tokens_per_s", "tokens/s", "training (cpi.train.Trainer) is not on this branch yet");
    }

    static Figure memory(Bench.Ctx c) {
        return Figure.missing("memory_rss_growth_pct", "%", "training (cpi.train.Trainer) is not on this branch yet");
    }
}
