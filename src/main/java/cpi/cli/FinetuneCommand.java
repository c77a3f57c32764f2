package cpi.cli;

import cpi.experiment.TrajectoryRecord;
import cpi.train.FinetuneConfig;
import cpi.train.Finetune;
import cpi.train.StepResult;
import cpi.train.TrainMode;
import cpi.util.Progress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cpi finetune}: instruction finetuning with an in-loop context-reliance trajectory. */
@Command(name = "finetune", mixinStandardHelpOptions = true,
        description = {"Instruction-finetune a local model (full, LoRA or QK-only) and evaluate context reliance "
                + "at every --eval-every steps into a run directory (run.json, trajectory.jsonl, checkpoints/, eval/, "
                + "analysis.json, report/).",
            "Ctrl-C saves a checkpoint and exits; --resume continues exactly where the last complete checkpoint left off."})
public final class FinetuneCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "PATH", description = "HF model directory (or llama2.c .bin with a tokenizer).")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "FILE|NAME",
            description = "IFT data: Alpaca JSON, chat JSONL (messages), SQuAD JSON or cpi conflict JSONL; or a dataset directory name such as alpaca-5000.")
    String data;

    @Option(names = "--out", required = true, paramLabel = "RUN_DIR", description = "Run directory.")
    Path out;

    @Option(names = "--template", defaultValue = "alpaca", description = "Prompt template for training and evaluation (default: ${DEFAULT-VALUE}).")
    String template;

    @Option(names = "--train", defaultValue = "lora", description = "What trains: full, lora or qk (default: ${DEFAULT-VALUE}).")
    String train;

    @Option(names = "--lr", defaultValue = "1e-4", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--schedule", defaultValue = "linear", description = "constant, linear or cosine decay after warmup (default: ${DEFAULT-VALUE}).")
    String schedule;

    @Option(names = "--warmup-ratio", defaultValue = "0.03", description = "Warmup steps as a fraction of all steps (default: ${DEFAULT-VALUE}).")
    double warmupRatio;

    @Option(names = "--max-steps", defaultValue = "0", description = "Optimizer steps (0: use --epochs).")
    long maxSteps;

    @Option(names = "--epochs", defaultValue = "1", description = "Epochs when --max-steps is 0 (default: ${DEFAULT-VALUE}).")
    double epochs;

    @Option(names = "--batch-size", defaultValue = "8", description = "Examples per optimizer step (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--micro-batch-tokens", defaultValue = "4096", description = "Padded tokens per forward/backward pass; gradients accumulate over micro-batches (default: ${DEFAULT-VALUE}).")
    int microBatchTokens;

    @Option(names = "--max-seq-len", defaultValue = "512", description = "Longest training sequence; longer prompts lose tokens from the left (default: ${DEFAULT-VALUE}).")
    int maxSeqLen;

    @Option(names = "--weight-decay", defaultValue = "0.0", description = "AdamW decoupled weight decay (default: ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--max-grad-norm", defaultValue = "1.0", description = "Global gradient-norm clip, 0 = off (default: ${DEFAULT-VALUE}).")
    double maxGradNorm;

    @Option(names = "--dropout", defaultValue = "0.0", description = "Dropout while training (default: ${DEFAULT-VALUE}).")
    double dropout;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of data order, held-out split, LoRA init and dropout (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--lora-rank", defaultValue = "8", description = "LoRA rank (default: ${DEFAULT-VALUE}).")
    int loraRank;

    @Option(names = "--lora-alpha", defaultValue = "16", description = "LoRA alpha (default: ${DEFAULT-VALUE}).")
    double loraAlpha;

    @Option(names = "--lora-dropout", defaultValue = "0.05", description = "LoRA dropout (default: ${DEFAULT-VALUE}).")
    double loraDropout;

    @Option(names = "--lora-targets", split = ",", defaultValue = "q,k,v,o", description = "Modules with adapters: q,k,v,o,up,gate,down (default: ${DEFAULT-VALUE}).")
    List<String> loraTargets;

    @Option(names = "--eval-every", defaultValue = "50", description = "Evaluate every N steps, 0 = start and end only (default: ${DEFAULT-VALUE}).")
    int evalEvery;

    @Option(names = "--save-every", defaultValue = "50", description = "Checkpoint every N steps, 0 = end only (default: ${DEFAULT-VALUE}).")
    int saveEvery;

    @Option(names = "--keep-last", defaultValue = "2", description = "Checkpoints kept besides the best, 0 = all (default: ${DEFAULT-VALUE}).")
    int keepLast;

    @Option(names = "--keep-best", paramLabel = "DATASET:METRIC", description = "Always keep the best checkpoint by this metric (default: the first eval dataset's counterfactual_accuracy; 'none' = off).")
    String keepBest;

    @Option(names = "--eval-datasets", split = ",", paramLabel = "NAME|FILE", description = "Conflict datasets evaluated in the loop, e.g. cf_world_facts.")
    List<String> evalDatasets = new ArrayList<>();

    @Option(names = "--scorer", defaultValue = "logprob", description = "Scorer of the conflict evaluation (default: ${DEFAULT-VALUE}; generation-based scorers on request).")
    String scorer;

    @Option(names = "--eval-limit", defaultValue = "0", description = "Items per conflict dataset per evaluation, 0 = all.")
    int evalLimit;

    @Option(names = "--eval-batch-size", defaultValue = "8", description = "Prompts per batch in the in-loop evaluation (default: ${DEFAULT-VALUE}).")
    int evalBatchSize;

    @Option(names = "--eval-max-new-tokens", defaultValue = "32", description = "Generation length for generation-based scorers in the in-loop evaluation (default: ${DEFAULT-VALUE}).")
    int evalMaxNewTokens;

    @Option(names = "--capability-data", paramLabel = "NAME|FILE", description = "Conflict-schema file of factual-context questions (its counterfactual answer is the factual one): context-QA accuracy = capability score.")
    String capabilityData;

    @Option(names = "--benchmark", paramLabel = "FILE", description = "Capability benchmark (repeatable): multiple choice (JSONL {question, choices, answer}, ARC JSONL, MMLU CSV) scored by log-likelihood, or short answer (SQuAD, GSM8k {question, answer}) scored by greedy generation.")
    List<String> benchmarks = new ArrayList<>();

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Where named datasets live (default: $CPI_DATA or the bundled locations).")
    Path dataDir;

    @Option(names = "--heldout-fraction", defaultValue = "0.02", description = "IFT data held out for the held-out loss (default: ${DEFAULT-VALUE}).")
    double heldoutFraction;

    @Option(names = "--heldout-max", defaultValue = "200", description = "At most this many held-out examples (default: ${DEFAULT-VALUE}).")
    int heldoutMax;

    @Option(names = "--attention-items", defaultValue = "32", description = "Conflict prompts for the context-vs-question attention diagnostic, 0 = off (default: ${DEFAULT-VALUE}).")
    int attentionItems;

    @Option(names = "--max-failures", defaultValue = "5", description = "Consecutive non-finite losses before the run stops (default: ${DEFAULT-VALUE}).")
    int maxFailures;

    @Option(names = "--log-every", defaultValue = "1", description = "Write the training loss to the trajectory every N steps (default: ${DEFAULT-VALUE}).")
    int logEvery;

    @Option(names = "--name", description = "Run name shown in reports (default: the directory name).")
    String name;

    @Option(names = "--no-report", description = "Skip writing RUN/report/ at the end.")
    boolean noReport;

    @Option(names = "--resume", description = "Continue the run in --out from its last complete checkpoint.")
    boolean resume;

    @Mixin
    CommonOptions common;

    FinetuneConfig config() {
        return new FinetuneConfig(name, model, data, template, TrainMode.parse(train), lr, schedule, warmupRatio, maxSteps,
                epochs, batchSize, microBatchTokens, maxSeqLen, weightDecay, maxGradNorm, dropout, seed, loraRank,
                loraAlpha, loraDropout, loraTargets, evalEvery, saveEvery, keepLast, keepBest, evalDatasets, scorer,
                evalLimit, evalBatchSize, evalMaxNewTokens, capabilityData, benchmarks, dataDir, heldoutFraction, heldoutMax, attentionItems, maxFailures, logEvery,
                out, resume, !noReport);
    }

    @Override
    public Integer call() {
        common.apply();
        FinetuneConfig cfg = config();
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            // Ctrl-C: ask the loop to checkpoint at the next step boundary, and let it finish before exit.
            Finetune.requestStop();
            try {
                done.await(10, TimeUnit.MINUTES);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, "cpi-finetune-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        BarListener bar = new BarListener();
        try {
            Finetune.RunSummary s = Finetune.run(cfg, null, bar);
            bar.close();
            print(s);
            return s.interrupted() ? 130 : 0;
        } finally {
            bar.close();
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // already shutting down
            }
        }
    }

    private static void print(Finetune.RunSummary s) {
        System.out.printf(Locale.ROOT, "run: %s%n", s.runDir().toAbsolutePath().normalize());
        System.out.printf(Locale.ROOT, "steps: %d/%d%s, final training loss %.4f, skipped steps %d%n", s.steps(),
                s.totalSteps(), s.interrupted() ? " (interrupted; resume with --resume)" : "", s.finalLoss(),
                s.skippedSteps());
        s.analysis().datasets().forEach((ds, a) -> System.out.printf(Locale.ROOT,
                "%s: counterfactual accuracy start %.3f, peak %.3f at step %d, final %.3f, drop %.3f, inversion %s%n",
                ds, a.start(), a.peak(), a.peakStep(), a.finalValue(), a.drop(),
                a.inversion() == null ? "unknown" : a.inversion()));
        if (s.report() != null) {
            System.out.println("report: " + s.report().toAbsolutePath().normalize());
        }
    }

    /** Progress bar with loss, lr, tokens/s and the latest counterfactual accuracy. */
    static final class BarListener implements Finetune.Listener {
        private Progress bar;
        private long tokens;
        private long t0;
        private String cf = "";
        private boolean closed;

        @Override
        public void onStart(FinetuneConfig cfg, long startStep, long totalSteps) {
            bar = Progress.start("finetune", totalSteps);
            bar.stepBy(startStep);
            t0 = System.nanoTime();
        }

        @Override
        public void onStep(StepResult r, double epoch) {
            tokens += r.tokens();
            double secs = Math.max(1e-9, (System.nanoTime() - t0) / 1e9);
            bar.status(String.format(Locale.ROOT, "loss %.4f lr %.2e %.0f tok/s ep %.2f%s", r.loss(), r.lr(),
                    tokens / secs, epoch, cf));
            if (!r.skipped()) {
                bar.step();
            }
        }

        @Override
        public void onEval(long step, List<TrajectoryRecord> records) {
            StringBuilder sb = new StringBuilder();
            for (TrajectoryRecord r : records) {
                if (r.metric().equals("counterfactual_accuracy")) {
                    sb.append(String.format(Locale.ROOT, " cf[%s] %.3f", r.dataset(), r.value()));
                }
            }
            cf = sb.toString();
        }

        @Override
        public void onWarning(String message) {
            System.err.println();
            System.err.println("cpi: warning: " + message);
        }

        void close() {
            if (bar != null && !closed) {
                closed = true;
                bar.close();
            }
        }
    }
}
