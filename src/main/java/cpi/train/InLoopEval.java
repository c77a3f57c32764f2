package cpi.train;

import cpi.data.Dataset;
import cpi.data.Datasets;
import cpi.eval.EvalOptions;
import cpi.eval.EvalResult;
import cpi.eval.Evaluator;
import cpi.eval.PromptTemplate;
import cpi.experiment.TrajectoryRecord;
import cpi.model.LoadedModel;
import cpi.model.LocalTextModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The evaluation a finetune runs at every --eval-every step on the live model (no reload; dropout is off
 * because evaluation runs forward passes with training = false): conflict datasets through the {@link
 * Evaluator} (per-item files under eval/step-N/), the attention diagnostic on their prompts, the held-out
 * IFT loss and the capability score. Capability = the mean of the multiple-choice benchmark accuracies
 * (--benchmark) and the context-QA accuracy on --capability-data (factual-context questions) when given,
 * else exp(−held-out loss) (the held-out token likelihood).
 */
public final class InLoopEval {
    private final FinetuneConfig cfg;
    private final LoadedModel model;
    private final PromptTemplate template;
    private final Trainer trainer;
    private final List<TokenExample> heldout;
    private final List<Dataset> conflict = new ArrayList<>();
    private final Dataset capability;
    private final Map<String, String> hashes = new LinkedHashMap<>();
    private final Evaluator evaluator = new Evaluator();
    private final Map<String, List<McBenchmark.Item>> benchmarks = new LinkedHashMap<>();
    private final Map<String, List<QaBenchmark.Item>> qaBenchmarks = new LinkedHashMap<>();

    InLoopEval(FinetuneConfig cfg, LoadedModel model, PromptTemplate template, Trainer trainer,
               List<TokenExample> heldout, Finetune.Listener listener) {
        this.cfg = cfg;
        this.model = model;
        this.template = template;
        this.trainer = trainer;
        this.heldout = heldout;
        for (String name : cfg.evalDatasets()) {
            Dataset d = Datasets.load(name, cfg.dataDir());
            conflict.add(d);
            hashes.put(d.name(), sha(d.sha256()));
        }
        if (cfg.capabilityData() != null && !cfg.capabilityData().isBlank()) {
            capability = Datasets.load(cfg.capabilityData(), cfg.dataDir());
            hashes.put(capability.name() + " (capability)", sha(capability.sha256()));
        } else {
            capability = null;
        }
        for (String f : cfg.benchmarks()) {
            Path p = Path.of(f);
            if (McBenchmark.isMultipleChoice(p)) {
                benchmarks.put(McBenchmark.name(p), McBenchmark.read(p));
            } else {
                qaBenchmarks.put(McBenchmark.name(p), QaBenchmark.read(p));
            }
            hashes.put(McBenchmark.name(p) + " (benchmark)", "sha256:" + cpi.util.Hashing.sha256(p));
        }
    }

    /** Dataset hashes as "sha256:HEX" whether or not the loader already prefixed them. */
    static String sha(String h) {
        return h.startsWith("sha256:") ? h : "sha256:" + h;
    }

    /** The first conflict dataset's name (the default keep-best metric), or null. */
    String primaryDataset() {
        return conflict.isEmpty() ? null : conflict.get(0).name();
    }

    Map<String, String> datasetHashes() {
        return hashes;
    }

    List<TrajectoryRecord> evaluate(long step, Path evalDir) {
        List<TrajectoryRecord> out = new ArrayList<>();
        // A per-step fingerprint: the weights differ at every step, and the item files say which ones scored.
        LocalTextModel tm = new LocalTextModel(model.transformer(), model.tokenizer(),
                model.fingerprint() + "@step-" + step);
        EvalOptions opts = EvalOptions.defaults().withLimit(cfg.evalLimit()).withBatchSize(cfg.evalBatchSize())
                .withMaxNewTokens(cfg.evalMaxNewTokens()).withOutDir(evalDir).withProgress(false)
                .withBootstrap(500);
        int maxLen = model.config().maxPositions();
        for (Dataset d : conflict) {
            EvalResult r = evaluator.evaluate(tm, d, template, cfg.scorer(), opts);
            out.addAll(r.toTrajectory(step));
            if (cfg.attentionItems() > 0) {
                AttentionDiagnostic.Result a = AttentionDiagnostic.measure(model.transformer(), model.tokenizer(),
                        template, d.items().subList(0, Math.min(cfg.attentionItems(), d.items().size())), maxLen);
                if (a.items() > 0) {
                    out.add(new TrajectoryRecord(step, d.name(), "attention_context", a.context(), Double.NaN,
                            Double.NaN, a.items()));
                    out.add(new TrajectoryRecord(step, d.name(), "attention_question", a.question(), Double.NaN,
                            Double.NaN, a.items()));
                }
            }
        }
        double heldLoss = heldout.isEmpty() ? Double.NaN : trainer.evalLoss(heldout);
        if (!heldout.isEmpty()) {
            out.add(new TrajectoryRecord(step, "_capability", "heldout_loss", heldLoss, Double.NaN, Double.NaN,
                    heldout.size()));
        }
        // Capability: the mean of the benchmark accuracies and context-QA accuracy (the paper's "standard
        // benchmarks" average); without any, the held-out token likelihood.
        List<Double> parts = new ArrayList<>();
        if (capability != null) {
            EvalResult r = evaluator.evaluate(tm, capability, template, cfg.scorer(),
                    opts.withOutDir(evalDir.resolve("capability")));
            out.add(new TrajectoryRecord(step, "_capability", "context_qa_accuracy", r.counterfactualAccuracy(),
                    r.cfCiLow(), r.cfCiHigh(), r.n()));
            parts.add(r.counterfactualAccuracy());
        }
        for (var b : benchmarks.entrySet()) {
            McBenchmark.Score sc = McBenchmark.score(b.getKey(), tm, template, b.getValue());
            double[] ci = cpi.experiment.TrajectoryAnalysis.wilson(sc.accuracy(), sc.n());
            out.add(new TrajectoryRecord(step, "_capability", TrajectoryRecord.BENCHMARK_PREFIX + b.getKey(), sc.accuracy(),
                    ci[0], ci[1], sc.n()));
            parts.add(sc.accuracy());
        }
        for (var b : qaBenchmarks.entrySet()) {
            McBenchmark.Score sc = QaBenchmark.score(b.getKey(), tm, template, b.getValue(), 48);
            double[] ci = cpi.experiment.TrajectoryAnalysis.wilson(sc.accuracy(), sc.n());
            out.add(new TrajectoryRecord(step, "_capability", TrajectoryRecord.BENCHMARK_PREFIX + b.getKey(), sc.accuracy(),
                    ci[0], ci[1], sc.n()));
            parts.add(sc.accuracy());
        }
        if (!parts.isEmpty()) {
            out.add(new TrajectoryRecord(step, "_capability", "capability",
                    parts.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN), Double.NaN,
                    Double.NaN, 0));
        } else if (Double.isFinite(heldLoss)) {
            out.add(TrajectoryRecord.of(step, "_capability", "capability", Math.exp(-heldLoss)));
        }
        return out;
    }
}
