package cpi.eval;

import java.nio.file.Path;

/**
 * How to run an evaluation.
 *
 * @param limit            evaluate only the first N items (0 = all)
 * @param batchSize        prompts per model call (for a served model: requests in flight per batch)
 * @param maxNewTokens     generation length for the text scorers
 * @param outDir           where items.NAME.jsonl is appended and resumed from (null = in memory only)
 * @param bootstrap        bootstrap resamples for the 95% CIs
 * @param seed             bootstrap seed
 * @param progress         show a progress bar (cpi.util.Progress; --quiet still silences it)
 * @param maxFailedBatches stop after this many batches in a row failed entirely (e.g. the server died);
 *                         the rest is left for a resume
 */
public record EvalOptions(int limit, int batchSize, int maxNewTokens, Path outDir, int bootstrap, long seed,
                          boolean progress, int maxFailedBatches) {
    public EvalOptions {
        if (batchSize < 1 || maxNewTokens < 1 || bootstrap < 0 || maxFailedBatches < 1) {
            throw new IllegalArgumentException("batchSize, maxNewTokens, maxFailedBatches must be >= 1, bootstrap >= 0");
        }
    }

    public static EvalOptions defaults() {
        return new EvalOptions(0, 8, 32, null, 1000, 0L, true, 3);
    }

    public EvalOptions withLimit(int v) {
        return new EvalOptions(v, batchSize, maxNewTokens, outDir, bootstrap, seed, progress, maxFailedBatches);
    }

    public EvalOptions withBatchSize(int v) {
        return new EvalOptions(limit, v, maxNewTokens, outDir, bootstrap, seed, progress, maxFailedBatches);
    }

    public EvalOptions withMaxNewTokens(int v) {
        return new EvalOptions(limit, batchSize, v, outDir, bootstrap, seed, progress, maxFailedBatches);
    }

    public EvalOptions withOutDir(Path v) {
        return new EvalOptions(limit, batchSize, maxNewTokens, v, bootstrap, seed, progress, maxFailedBatches);
    }

    public EvalOptions withBootstrap(int v) {
        return new EvalOptions(limit, batchSize, maxNewTokens, outDir, v, seed, progress, maxFailedBatches);
    }

    public EvalOptions withProgress(boolean v) {
        return new EvalOptions(limit, batchSize, maxNewTokens, outDir, bootstrap, seed, v, maxFailedBatches);
    }

    public EvalOptions withMaxFailedBatches(int v) {
        return new EvalOptions(limit, batchSize, maxNewTokens, outDir, bootstrap, seed, progress, v);
    }
}
