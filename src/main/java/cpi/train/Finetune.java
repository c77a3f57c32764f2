package cpi.train;

import ai.djl.ndarray.NDManager;
import cpi.CpiVersion;
import cpi.eval.PromptTemplate;
import cpi.eval.Templates;
import cpi.experiment.CheckpointStore;
import cpi.experiment.Provenance;
import cpi.experiment.RunLock;
import cpi.experiment.TrajectoryAnalysis;
import cpi.experiment.TrajectoryRecord;
import cpi.experiment.TrajectoryStore;
import cpi.model.LoadedModel;
import cpi.model.ModelLoader;
import cpi.model.Transformer;
import cpi.util.AtomicFiles;
import cpi.util.Djl;
import cpi.util.Json;
import cpi.util.UserError;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A finetuning run into a run directory: SFT steps, in-loop evaluation every {@code evalEvery} steps
 * (conflict datasets, held-out loss, capability, attention), crash-safe checkpoints every {@code
 * saveEvery} steps, exact {@code resume}, retention, analysis.json and an HTML report at the end.
 *
 * <p>Crash-safety invariant: at a save step the trajectory records of that step are appended before the
 * checkpoint is sealed, so the newest complete checkpoint c implies every record up to c is on disk. A
 * resume from c drops records, eval files and checkpoints after c (they belong to the lost future) and
 * recomputes them: no record is lost or duplicated.
 */
public final class Finetune {
    private Finetune() {}

    /** Progress callbacks (all optional). */
    public interface Listener {
        default void onStart(FinetuneConfig cfg, long startStep, long totalSteps) {}

        default void onStep(StepResult r, double epoch) {}

        default void onEval(long step, List<TrajectoryRecord> records) {}

        default void onCheckpoint(long step, Path dir) {}

        default void onWarning(String message) {
            System.err.println("cpi: warning: " + message);
        }
    }

    public static final Listener QUIET = new Listener() {};

    /**
     * @param interrupted true when a stop was requested (Ctrl-C) and the run saved and exited early
     */
    public record RunSummary(Path runDir, long steps, long totalSteps, double finalLoss, Map<String, Double> finalCf,
                             long skippedSteps, boolean interrupted, boolean resumedFrom, Path report,
                             TrajectoryAnalysis.Result analysis) {}

    private static final AtomicBoolean STOP = new AtomicBoolean();
    /** Tests: numerical faults to inject (0-based update index → NaN loss). */
    static volatile java.util.function.LongPredicate faultInjector;

    /** Asks running finetunes to save a checkpoint and return at the next step boundary (Ctrl-C). */
    public static void requestStop() {
        STOP.set(true);
    }

    public static RunSummary run(FinetuneConfig cfg) {
        return run(cfg, null, QUIET);
    }

    public static RunSummary run(FinetuneConfig cfg, LoadedModel preloaded) {
        return run(cfg, preloaded, QUIET);
    }

    public static RunSummary run(FinetuneConfig cfg, LoadedModel preloaded, Listener listener) {
        Djl.engine();
        STOP.set(false);
        Path out = cfg.out();
        try (RunLock lock = RunLock.acquire(out);
             NDManager manager = preloaded == null ? NDManager.newBaseManager() : null) {
            LoadedModel model = preloaded != null ? preloaded : loadModel(cfg, manager);
            return new Run(cfg, model, listener == null ? QUIET : listener).execute();
        }
    }

    private static LoadedModel loadModel(FinetuneConfig cfg, NDManager manager) {
        if (cfg.model() == null) {
            throw new UserError("--model is required");
        }
        return ModelLoader.load(cfg.model(), manager);
    }

    /** One run's state. */
    private static final class Run {
        final FinetuneConfig cfg;
        final LoadedModel model;
        final Transformer t;
        final Listener listener;
        final Path out;
        final TrajectoryStore store;
        final CheckpointStore checkpoints;
        PromptTemplate template;
        List<IftExample> trainExamples;
        List<TokenExample> train;
        List<TokenExample> heldout;
        IftData.Loaded data;
        long totalSteps;

        Run(FinetuneConfig cfg, LoadedModel model, Listener listener) {
            this.cfg = cfg;
            this.model = model;
            this.t = model.transformer();
            this.listener = listener;
            this.out = cfg.out();
            this.store = new TrajectoryStore(out);
            this.checkpoints = new CheckpointStore(out);
        }

        RunSummary execute() {
            if (model.tokenizer() == null) {
                throw new UserError(model.source() + ": the model has no tokenizer (tokenizer.json); finetuning needs "
                        + "one to encode the IFT data");
            }
            Path runJson = out.resolve("run.json");
            if (!cfg.resume() && (Files.exists(runJson) || !store.read().isEmpty())) {
                throw new UserError(out + " already holds a run; pass --resume to continue it or choose another --out");
            }
            checkpoints.cleanTemporary();
            template = Templates.resolve(cfg.template(), model.tokenizer());
            prepareData();
            totalSteps = cfg.maxSteps() > 0 ? cfg.maxSteps()
                    : (long) Math.ceil(cfg.epochs() * train.size() / (double) cfg.batchSize());
            TrainerOptions topts = cfg.trainerOptions(totalSteps);
            int pad = model.tokenizer().padId();
            try (Trainer trainer = new Trainer(new TransformerModel(t), topts, pad)) {
                trainer.setFaultInjector(faultInjector);
                DataOrder order = new DataOrder(train.size(), cfg.seed(), true);
                InLoopEval eval = new InLoopEval(cfg, model, template, trainer, heldout, listener);
                long start = resume(trainer, order);
                writeRunJson(eval, "running", start);
                listener.onStart(cfg, start, totalSteps);
                if (start == 0 && !hasRecordsAt(0)) {
                    evaluate(eval, 0);
                }
                return loop(trainer, order, eval, start);
            }
        }

        private void prepareData() {
            data = IftData.load(cfg.data());
            List<IftExample> all = new ArrayList<>(data.examples());
            // Held-out split: a seeded sample, fixed for the run (so resume sees the same split).
            int hold = (int) Math.min(cfg.heldoutMax(), Math.floor(all.size() * cfg.heldoutFraction()));
            if (hold >= all.size()) {
                hold = 0;
            }
            List<Integer> idx = new ArrayList<>();
            for (int i = 0; i < all.size(); i++) {
                idx.add(i);
            }
            java.util.Collections.shuffle(idx, new Random(cfg.seed() ^ 0x5EEDL));
            Set<Integer> held = new HashSet<>(idx.subList(0, hold));
            List<IftExample> tr = new ArrayList<>();
            List<IftExample> ho = new ArrayList<>();
            for (int i = 0; i < all.size(); i++) {
                (held.contains(i) ? ho : tr).add(all.get(i));
            }
            int maxLen = Math.min(cfg.maxSeqLen(), t.config().maxPositions());
            SftEncoder enc = new SftEncoder(model.tokenizer(), template, maxLen, true);
            trainExamples = tr;
            train = enc.encodeAll(tr);
            heldout = enc.encodeAll(ho);
            if (train.isEmpty()) {
                throw new UserError(data.file() + ": no example has a non-empty response to train on");
            }
        }

        private boolean hasRecordsAt(long step) {
            return store.read().stream().anyMatch(r -> r.step() == step && !r.dataset().equals("_train"));
        }

        /** Restores the newest complete checkpoint (if resuming) and trims everything after it. */
        private long resume(Trainer trainer, DataOrder order) {
            if (!cfg.resume()) {
                return 0;
            }
            checkSameRun();
            Optional<CheckpointStore.Checkpoint> ck = checkpoints.latestValid();
            long c = ck.map(CheckpointStore.Checkpoint::step).orElse(-1L);
            if (ck.isPresent()) {
                ModelCheckpoint.load(trainer, t, ck.get().dir());
                JsonNode rs = Json.read(ck.get().dir().resolve("run_state.json"));
                order.restore(new DataOrder.State(rs.get("epoch").asInt(), rs.get("position").asInt()));
                if (trainer.step() != c) {
                    throw new UserError(ck.get().dir() + ": trainer_state.json says step " + trainer.step()
                            + " but the directory is step " + c + " (the checkpoint was edited; delete it)");
                }
            }
            // Everything after c belongs to the interrupted future: drop it so it is recomputed exactly once.
            checkpoints.dropAfter(c);
            List<TrajectoryRecord> keep = store.read().stream().filter(r -> r.step() <= c).toList();
            rewriteTrajectory(keep);
            dropEvalDirsAfter(c);
            return Math.max(c, 0);
        }

        /** A resume must see the same training data and mode, or "exactly where it left off" means nothing. */
        private void checkSameRun() {
            Path rj = out.resolve("run.json");
            if (!Files.isRegularFile(rj)) {
                return;
            }
            JsonNode run = Json.read(rj);
            JsonNode sha = run.path("provenance").path("datasets").get(data.name());
            if (sha != null && !sha.asText().equals(data.sha256())) {
                throw new UserError(out + ": --resume with different training data (" + data.file() + " has "
                        + data.sha256() + ", the run was trained on " + sha.asText() + "); resume with the original "
                        + "--data or start a new --out");
            }
            String mode = run.path("config").path("train").asText("");
            if (!mode.isEmpty() && !mode.equalsIgnoreCase(cfg.train().name())) {
                throw new UserError(out + ": --resume with --train " + cfg.train().name().toLowerCase()
                        + " but the run trains " + mode.toLowerCase() + "; resume with the same --train");
            }
        }

        private void rewriteTrajectory(List<TrajectoryRecord> keep) {
            Path tmpDir = out.resolve(".trajectory-rewrite");
            AtomicFiles.deleteRecursively(tmpDir);
            TrajectoryStore tmp = new TrajectoryStore(tmpDir);
            tmp.append(keep);
            try {
                if (Files.exists(tmp.file())) {
                    AtomicFiles.moveAtomically(tmp.file(), store.file());
                } else {
                    Files.deleteIfExists(store.file());
                }
                AtomicFiles.fsync(out);
            } catch (java.io.IOException e) {
                throw new UserError("could not rewrite " + store.file() + ": " + e.getMessage());
            } finally {
                AtomicFiles.deleteRecursively(tmpDir);
            }
        }

        private void dropEvalDirsAfter(long c) {
            Path evalDir = out.resolve("eval");
            if (!Files.isDirectory(evalDir)) {
                return;
            }
            try (var s = Files.list(evalDir)) {
                for (Path d : s.toList()) {
                    String n = d.getFileName().toString();
                    if (n.matches("step-\\d+") && Long.parseLong(n.substring(5)) > c) {
                        AtomicFiles.deleteRecursively(d);
                    }
                }
            } catch (java.io.IOException e) {
                throw new UserError("could not clean " + evalDir + ": " + e.getMessage());
            }
        }

        private RunSummary loop(Trainer trainer, DataOrder order, InLoopEval eval, long start) {
            long lastSaved = start;
            double lastLoss = Double.NaN;
            boolean interrupted = false;
            while (trainer.step() < totalSteps) {
                List<TokenExample> batch = new ArrayList<>(cfg.batchSize());
                for (int i : order.next(cfg.batchSize())) {
                    batch.add(train.get(i));
                }
                StepResult r = trainer.step(batch);
                long step = trainer.step();
                listener.onStep(r, order.epochProgress());
                if (r.skipped()) {
                    store.append(List.of(TrajectoryRecord.of(step, "_train", "skipped_steps", trainer.skippedSteps())));
                    listener.onWarning("non-finite loss/gradient at step " + (step + 1) + " (loss " + r.loss()
                            + ", grad norm " + r.gradNorm() + "): update skipped, weights and optimizer kept at the last "
                            + "good state (step " + step + ")");
                    if (trainer.consecutiveFailures() >= cfg.maxConsecutiveFailures()) {
                        String last = checkpoints.list().isEmpty() ? "none"
                                : checkpoints.list().get(checkpoints.list().size() - 1).dir().toString();
                        writeRunJson(eval, "failed", step);
                        throw new UserError("training stopped: " + trainer.consecutiveFailures()
                                + " consecutive non-finite losses (each on a fresh batch, all at step " + (step + 1)
                                + "); the trajectory up to step " + step + " is intact and the last good checkpoint is "
                                + last + " (lower --lr, raise --max-grad-norm clipping, or check the data)");
                    }
                    continue;
                }
                lastLoss = r.loss();
                if (cfg.logEvery() > 0 && step % cfg.logEvery() == 0) {
                    store.append(List.of(TrajectoryRecord.of(step, "_train", "loss", r.loss()),
                            TrajectoryRecord.of(step, "_train", "lr", r.lr()),
                            TrajectoryRecord.of(step, "_train", "grad_norm", r.gradNorm()),
                            TrajectoryRecord.of(step, "_train", "epoch", order.epochProgress())));
                }
                boolean last = step >= totalSteps;
                boolean stop = STOP.get();
                if (last || (cfg.evalEvery() > 0 && step % cfg.evalEvery() == 0)) {
                    evaluate(eval, step);
                }
                if (last || stop || (cfg.saveEvery() > 0 && step % cfg.saveEvery() == 0)) {
                    save(trainer, order, eval, step);
                    lastSaved = step;
                }
                if (stop && !last) {
                    interrupted = true;
                    break;
                }
            }
            if (lastSaved != trainer.step()) {
                save(trainer, order, eval, trainer.step());
            }
            writeRunJson(eval, interrupted ? "interrupted" : "complete", trainer.step());
            TrajectoryAnalysis.Result analysis = TrajectoryAnalysis.write(out);
            Path report = interrupted || !cfg.report() ? null : Reports.write(out, listener);
            Map<String, Double> finalCf = new LinkedHashMap<>();
            analysis.datasets().forEach((k, v) -> finalCf.put(k, v.finalValue()));
            return new RunSummary(out, trainer.step(), totalSteps, lastLoss, finalCf, trainer.skippedSteps(), interrupted,
                    start > 0, report, analysis);
        }

        private void evaluate(InLoopEval eval, long step) {
            List<TrajectoryRecord> rs = eval.evaluate(step, out.resolve("eval").resolve(CheckpointStore.dirName(step)));
            store.append(rs);
            listener.onEval(step, rs);
        }

        private void save(Trainer trainer, DataOrder order, InLoopEval eval, long step) {
            CheckpointStore.Checkpoint c = checkpoints.save(step, dir -> {
                ModelCheckpoint.save(trainer, t, model.tokenizer(), dir,
                        model.source() == null ? "" : model.source().toString());
                ObjectNode rs = Json.object();
                rs.put("step", step);
                rs.put("epoch", order.state().epoch());
                rs.put("position", order.state().position());
                rs.put("seed", cfg.seed());
                rs.put("base_model", model.fingerprint());
                IoFaults.check("run_state");
                Files.writeString(dir.resolve("run_state.json"), Json.writePretty(rs) + "\n");
            });
            checkpoints.retain(cfg.keepLast(), bestSteps(eval));
            listener.onCheckpoint(step, c.dir());
        }

        /** Steps whose checkpoint is the best by the keep-best metric (ties: the earliest). */
        private Set<Long> bestSteps(InLoopEval eval) {
            String spec = cfg.keepBest();
            if ("none".equalsIgnoreCase(spec)) {
                return Set.of();
            }
            if (spec == null) {
                if (eval.primaryDataset() == null) {
                    return Set.of();
                }
                spec = eval.primaryDataset() + ":counterfactual_accuracy";
            }
            int colon = spec.lastIndexOf(':');
            if (colon < 0) {
                throw new UserError("--keep-best '" + spec + "': expected DATASET:METRIC, e.g. "
                        + "cf_world_facts:counterfactual_accuracy, or none");
            }
            String ds = spec.substring(0, colon);
            String metric = spec.substring(colon + 1);
            boolean lower = metric.contains("loss");
            Set<Long> saved = new HashSet<>();
            checkpoints.list().forEach(c -> saved.add(c.step()));
            TrajectoryRecord best = null;
            for (TrajectoryRecord r : store.read()) {
                if (r.dataset().equals(ds) && r.metric().equals(metric) && saved.contains(r.step())
                        && Double.isFinite(r.value())) {
                    if (best == null || (lower ? r.value() < best.value() : r.value() > best.value())) {
                        best = r;
                    }
                }
            }
            return best == null ? Set.of() : Set.of(best.step());
        }

        private void writeRunJson(InLoopEval eval, String status, long step) {
            ObjectNode run = Json.object();
            run.put("name", cfg.name() != null ? cfg.name() : out.toAbsolutePath().normalize().getFileName().toString());
            run.put("kind", "finetune");
            run.put("status", status);
            run.put("step", step);
            run.put("total_steps", totalSteps);
            run.put("updated", Instant.now().toString());
            run.put("train_examples", train.size());
            run.put("heldout_examples", heldout.size());
            run.put("template", template.name());
            ObjectNode config = cfg.toJson();
            run.set("config", config);
            Map<String, String> datasets = new LinkedHashMap<>();
            datasets.put(data.name(), data.sha256());
            datasets.putAll(eval.datasetHashes());
            Provenance p = Provenance.of(model.fingerprint(), datasets, template.name(), cfg.seed(), config);
            run.set("provenance", p.toJson());
            run.put("cpi_version", CpiVersion.VERSION);
            Json.writeFile(out.resolve("run.json"), run);
        }
    }
}
