package cpi.train;

import cpi.util.Json;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything a finetuning run is configured by; recorded in run.json. Build one with {@link #defaults}
 * and the {@code with*} methods, or from the CLI flags.
 *
 * @param maxSteps          optimizer steps; 0 = derive from epochs
 * @param epochs            used when maxSteps is 0
 * @param batchSize         examples per optimizer step (accumulated over micro-batches)
 * @param microBatchTokens  padded-token budget of one forward/backward pass
 * @param evalEvery         in-loop evaluation period in steps (0 = only at start and end)
 * @param saveEvery         checkpoint period in steps (0 = only at the end)
 * @param keepLast          checkpoints kept besides the best (0 = all)
 * @param keepBest          "DATASET:METRIC" whose best checkpoint is always kept (null = first eval dataset's
 *                          counterfactual accuracy; "none" = off)
 * @param evalLimit         items per conflict dataset per evaluation (0 = all)
 * @param benchmarks        multiple-choice capability files (generic JSONL, ARC JSONL, MMLU CSV), scored by
 *                          log-likelihood; capability = mean of these and context-QA accuracy
 * @param heldoutFraction   share of the IFT data held out for the held-out loss (capped by heldoutMax)
 * @param attentionItems    conflict prompts used for the attention diagnostic (0 = off)
 * @param maxConsecutiveFailures numerical faults (non-finite loss/gradient) in a row before the run stops
 * @param report            write RUN/report/ (HTML) at the end
 */
public record FinetuneConfig(String name, Path model, String data, String template, TrainMode train, double lr,
                             String schedule, double warmupRatio, long maxSteps, double epochs, int batchSize,
                             int microBatchTokens, int maxSeqLen, double weightDecay, double maxGradNorm,
                             double dropout, long seed, int loraRank, double loraAlpha, double loraDropout,
                             List<String> loraTargets, int evalEvery, int saveEvery, int keepLast, String keepBest,
                             List<String> evalDatasets, String scorer, int evalLimit, int evalBatchSize,
                             int evalMaxNewTokens, String capabilityData, List<String> benchmarks,
                             Path dataDir, double heldoutFraction, int heldoutMax, int attentionItems,
                             int maxConsecutiveFailures, int logEvery, Path out, boolean resume,
                             boolean report) {

    public FinetuneConfig {
        loraTargets = loraTargets == null ? List.of("q", "k", "v", "o") : List.copyOf(loraTargets);
        evalDatasets = evalDatasets == null ? List.of() : List.copyOf(evalDatasets);
        benchmarks = benchmarks == null ? List.of() : List.copyOf(benchmarks);
        if (batchSize < 1) {
            throw new cpi.util.UserError("--batch-size must be at least 1, got " + batchSize);
        }
        if (maxSteps < 0 || (maxSteps == 0 && !(epochs > 0))) {
            throw new cpi.util.UserError("set --max-steps N or --epochs E (both are zero)");
        }
        if (evalBatchSize < 1 || evalMaxNewTokens < 1) {
            throw new cpi.util.UserError("--eval-batch-size and --eval-max-new-tokens must be at least 1");
        }
        if (!(lr > 0)) {
            throw new cpi.util.UserError("--lr must be positive, got " + lr);
        }
        if (out == null) {
            throw new cpi.util.UserError("--out RUN_DIR is required");
        }
    }

    /** Sensible small-run defaults: LoRA r8, lr 1e-4, linear decay with 3% warmup, batch 8, 100 steps. */
    public static FinetuneConfig defaults(Path model, String data, Path out) {
        return new FinetuneConfig(null, model, data, "alpaca", TrainMode.LORA, 1e-4, "linear", 0.03, 100, 0, 8, 4096,
                512, 0.0, 1.0, 0.0, 0, 8, 16, 0.05, List.of("q", "k", "v", "o"), 50, 50, 2, null, List.of(), "logprob",
                0, 8, 32, null, List.of(), null, 0.02, 200, 32, 5, 1, out, false, true);
    }

    public ObjectNode toJson() {
        ObjectNode o = Json.MAPPER.valueToTree(this);
        o.put("model", model == null ? null : model.toString());
        o.put("out", out.toString());
        o.put("data_dir", dataDir == null ? null : dataDir.toString());
        o.remove("dataDir");
        return o;
    }

    public TrainerOptions trainerOptions(long totalSteps) {
        LrSchedule.Kind kind = switch (schedule == null ? "linear" : schedule.toLowerCase()) {
            case "constant" -> LrSchedule.Kind.CONSTANT;
            case "cosine" -> LrSchedule.Kind.COSINE;
            case "linear" -> LrSchedule.Kind.LINEAR;
            default -> throw new cpi.util.UserError("--schedule: unknown '" + schedule
                    + "' (expected constant, linear or cosine)");
        };
        long warmup = Math.round(warmupRatio * totalSteps);
        return new TrainerOptions(train, lr, kind, warmup, totalSteps, 0, weightDecay, 0.9, 0.999, 1e-8, maxGradNorm,
                microBatchTokens, dropout, seed, new LoraOptions(loraRank, loraAlpha, loraDropout, loraTargets));
    }

    // Withers for the fields library users change most.
    public FinetuneConfig withTrain(TrainMode t) {
        return copy(b -> b.train = t);
    }

    public FinetuneConfig withSteps(long steps, int save, int eval) {
        return copy(b -> {
            b.maxSteps = steps;
            b.saveEvery = save;
            b.evalEvery = eval;
        });
    }

    public FinetuneConfig withLr(double v) {
        return copy(b -> b.lr = v);
    }

    public FinetuneConfig withBatch(int size, int microTokens, int maxSeq) {
        return copy(b -> {
            b.batchSize = size;
            b.microBatchTokens = microTokens;
            b.maxSeqLen = maxSeq;
        });
    }

    public FinetuneConfig withEval(List<String> datasets, String scorerName, int limit, String capability) {
        return copy(b -> {
            b.evalDatasets = datasets;
            b.scorer = scorerName;
            b.evalLimit = limit;
            b.capabilityData = capability;
        });
    }

    /** Batch size and generation length of the in-loop evaluation (generation-based scorers). */
    public FinetuneConfig withEvalGeneration(int batch, int maxNewTokens) {
        return copy(b -> {
            b.evalBatchSize = batch;
            b.evalMaxNewTokens = maxNewTokens;
        });
    }

    public FinetuneConfig withBenchmarks(List<String> files) {
        return copy(b -> b.benchmarks = files);
    }

    public FinetuneConfig withTemplate(String t) {
        return copy(b -> b.template = t);
    }

    public FinetuneConfig withSeed(long s) {
        return copy(b -> b.seed = s);
    }

    public FinetuneConfig withResume(boolean r) {
        return copy(b -> b.resume = r);
    }

    public FinetuneConfig withReport(boolean r) {
        return copy(b -> b.report = r);
    }

    public FinetuneConfig withLogEvery(int n) {
        return copy(b -> b.logEvery = n);
    }

    public FinetuneConfig withName(String n) {
        return copy(b -> b.name = n);
    }

    public FinetuneConfig withRegularization(double wd, double clip, double drop) {
        return copy(b -> {
            b.weightDecay = wd;
            b.maxGradNorm = clip;
            b.dropout = drop;
        });
    }

    public FinetuneConfig withLora(int rank, double alpha, double drop, List<String> targets) {
        return copy(b -> {
            b.loraRank = rank;
            b.loraAlpha = alpha;
            b.loraDropout = drop;
            b.loraTargets = targets;
        });
    }

    public FinetuneConfig withRetention(int last, String best) {
        return copy(b -> {
            b.keepLast = last;
            b.keepBest = best;
        });
    }

    public FinetuneConfig withHeldout(double fraction, int max, int attention) {
        return copy(b -> {
            b.heldoutFraction = fraction;
            b.heldoutMax = max;
            b.attentionItems = attention;
        });
    }

    public FinetuneConfig withFaultLimit(int k) {
        return copy(b -> b.maxConsecutiveFailures = k);
    }

    public FinetuneConfig withDataDir(Path d) {
        return copy(b -> b.dataDir = d);
    }

    public FinetuneConfig withSchedule(String s, double warmup) {
        return copy(b -> {
            b.schedule = s;
            b.warmupRatio = warmup;
        });
    }

    private FinetuneConfig copy(java.util.function.Consumer<Builder> change) {
        Builder b = new Builder(this);
        change.accept(b);
        return b.build();
    }

    /** Mutable copy used by the withers. */
    private static final class Builder {
        String name; Path model; String data; String template; TrainMode train; double lr; String schedule;
        double warmupRatio; long maxSteps; double epochs; int batchSize; int microBatchTokens; int maxSeqLen;
        double weightDecay; double maxGradNorm; double dropout; long seed; int loraRank; double loraAlpha;
        double loraDropout; List<String> loraTargets; int evalEvery; int saveEvery; int keepLast; String keepBest;
        List<String> evalDatasets; String scorer; int evalLimit; int evalBatchSize; int evalMaxNewTokens;
        String capabilityData; List<String> benchmarks; Path dataDir;
        double heldoutFraction; int heldoutMax; int attentionItems; int maxConsecutiveFailures; int logEvery;
        Path out; boolean resume; boolean report;

        Builder(FinetuneConfig c) {
            name = c.name; model = c.model; data = c.data; template = c.template; train = c.train; lr = c.lr;
            schedule = c.schedule; warmupRatio = c.warmupRatio; maxSteps = c.maxSteps; epochs = c.epochs;
            batchSize = c.batchSize; microBatchTokens = c.microBatchTokens; maxSeqLen = c.maxSeqLen;
            weightDecay = c.weightDecay; maxGradNorm = c.maxGradNorm; dropout = c.dropout; seed = c.seed;
            loraRank = c.loraRank; loraAlpha = c.loraAlpha; loraDropout = c.loraDropout; loraTargets = c.loraTargets;
            evalEvery = c.evalEvery; saveEvery = c.saveEvery; keepLast = c.keepLast; keepBest = c.keepBest;
            evalDatasets = c.evalDatasets; scorer = c.scorer; evalLimit = c.evalLimit;
            evalBatchSize = c.evalBatchSize; evalMaxNewTokens = c.evalMaxNewTokens; capabilityData = c.capabilityData;
            benchmarks = c.benchmarks;
            dataDir = c.dataDir; heldoutFraction = c.heldoutFraction; heldoutMax = c.heldoutMax;
            attentionItems = c.attentionItems; maxConsecutiveFailures = c.maxConsecutiveFailures; logEvery = c.logEvery;
            out = c.out; resume = c.resume; report = c.report;
        }

        FinetuneConfig build() {
            return new FinetuneConfig(name, model, data, template, train, lr, schedule, warmupRatio, maxSteps, epochs,
                    batchSize, microBatchTokens, maxSeqLen, weightDecay, maxGradNorm, dropout, seed, loraRank, loraAlpha,
                    loraDropout, loraTargets, evalEvery, saveEvery, keepLast, keepBest, evalDatasets, scorer, evalLimit,
                    evalBatchSize, evalMaxNewTokens, capabilityData, benchmarks, dataDir, heldoutFraction, heldoutMax, attentionItems, maxConsecutiveFailures,
                    logEvery, out, resume, report);
        }
    }
}
