package cpi.demo;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import cpi.model.Checkpoints;
import cpi.model.HfTokenizer;
import cpi.model.ModelConfig;
import cpi.model.Transformer;
import cpi.train.LrSchedule;
import cpi.train.StepResult;
import cpi.train.TokenExample;
import cpi.train.TrainMode;
import cpi.train.Trainer;
import cpi.train.TrainerOptions;
import cpi.train.TransformerModel;
import cpi.util.AtomicFiles;
import cpi.util.Djl;
import cpi.util.Hashing;
import cpi.util.Json;
import cpi.util.Progress;
import cpi.world.ProbeItem;
import cpi.world.WorldFiles;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Pretrains the demo's model (GPT-2 or Llama family) from scratch on the world's corpus (next-token loss on every
 * token after bos) and caches it in Hugging Face format under {@code Djl.cacheDir()/demo/<key>}, where
 * the key hashes the world and pretraining settings: re-runs skip pretraining.
 */
public final class Pretrainer {
    static final String METRICS = "pretrain.json";

    /**
     * @param closedBook closed-book fact accuracy (statement form); copy in-context copy accuracy;
     *        conflictMargin how much the model prefers memory to a conflicting context (PretrainProbes)
     */
    public record Result(Path modelDir, boolean cached, double closedBook, double copy, double conflictMargin,
                         double seconds, long parameters) {}

    private Pretrainer() {}

    public static Path cacheDir(DemoConfig cfg) {
        String key = Hashing.sha256(Json.write(cfg.pretrainKey())).substring(0, 16);
        return Djl.cacheDir().resolve("demo").resolve(key);
    }

    public static Result pretrainOrLoad(DemoConfig cfg, Path worldDir, PrintStream log) {
        Path dir = cacheDir(cfg);
        Path metrics = dir.resolve(METRICS);
        if (Files.isRegularFile(metrics) && Files.isRegularFile(dir.resolve("model.safetensors"))) {
            JsonNode m = Json.read(metrics);
            log.printf("pretrained model: cached at %s (pretraining skipped)%n", dir);
            return new Result(dir, true, m.path("closed_book_accuracy").asDouble(), m.path("copy_accuracy").asDouble(),
                    m.path("conflict_margin").asDouble(Double.NaN), m.path("seconds").asDouble(),
                    m.path("parameters").asLong());
        }
        return pretrain(cfg, worldDir, dir, log);
    }

    private static Result pretrain(DemoConfig cfg, Path worldDir, Path dir, PrintStream log) {
        Djl.engine();
        long t0 = System.nanoTime();
        try (HfTokenizer tok = HfTokenizer.load(worldDir);
             NDManager manager = NDManager.newBaseManager()) {
            int bos = tok.bosId().orElseThrow();
            ModelConfig mc = cfg.modelConfig(tok);
            Transformer t = Transformer.random(mc, cfg.world().seed(), manager);
            long params = t.parameters().values().stream().mapToLong(a -> a.getShape().size()).sum();
            long tr = System.nanoTime();
            List<TokenExample> docs = readDocs(worldDir.resolve(WorldFiles.PRETRAIN), tok, bos, cfg.maxPositions());
            if (Boolean.getBoolean("cpi.demo.timing")) {
                log.printf("  read %d docs in %.1f s%n", docs.size(), (System.nanoTime() - tr) / 1e9);
            }
            log.printf("pretraining a %s-family model (%,d parameters, d=%d, %d layers) on %,d documents, %d steps%n",
                    cfg.family(), params, cfg.hidden(), cfg.layers(), docs.size(), cfg.pretrainSteps());
            TrainerOptions opts = new TrainerOptions(TrainMode.FULL, cfg.pretrainLr(), LrSchedule.Kind.COSINE,
                    Math.min(50, cfg.pretrainSteps() / 10), cfg.pretrainSteps(), cfg.pretrainLr() / 10, 0.0,
                    0.9, 0.95, 1e-8, 1.0, 1 << 14, 0.0, cfg.world().seed(), null);
            Random order = new Random(cfg.world().seed() + 11);
            List<ProbeItem> probes = PretrainProbes.read(worldDir.resolve(WorldFiles.PRETRAIN_PROBES));
            int probeEvery = Math.max(1, (cfg.pretrainSteps() + 7) / 8);
            List<Probe> history = new ArrayList<>();
            String probed = "";
            List<Integer> idx = new ArrayList<>();
            try (Trainer trainer = new Trainer(new TransformerModel(t), opts, tok.padId());
                 Progress p = Progress.start("pretrain", cfg.pretrainSteps())) {
                int cursor = 0;
                for (int step = 0; step < cfg.pretrainSteps(); step++) {
                    List<TokenExample> batch = new ArrayList<>(cfg.pretrainBatch());
                    for (int i = 0; i < cfg.pretrainBatch(); i++) {
                        if (cursor >= idx.size()) {
                            idx.clear();
                            for (int k = 0; k < docs.size(); k++) {
                                idx.add(k);
                            }
                            java.util.Collections.shuffle(idx, order);
                            cursor = 0;
                        }
                        batch.add(docs.get(idx.get(cursor++)));
                    }
                    StepResult r = trainer.step(batch);
                    if ((step + 1) % probeEvery == 0 && step + 1 < cfg.pretrainSteps()) {
                        // copying and recall appear in sudden transitions: the probes show when
                        PretrainProbes.Scores s = PretrainProbes.measure(t, tok, probes);
                        history.add(new Probe(step + 1, s));
                        probed = String.format(", at step %d closed-book %.2f copy %.2f", step + 1, s.closedBook(), s.copy());
                    }
                    p.status(String.format("loss %.3f%s", r.loss(), probed));
                    p.step();
                }
            }
            long tpr = System.nanoTime();
            PretrainProbes.Scores s = PretrainProbes.measure(t, tok, probes);
            history.add(new Probe(cfg.pretrainSteps(), s));
            if (Boolean.getBoolean("cpi.demo.timing")) {
                log.printf("  train %.1f s, probes %.1f s%n", (tpr - tr) / 1e9, (System.nanoTime() - tpr) / 1e9);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            save(t, tok, dir, cfg, history, seconds, params);
            log.printf("pretraining done in %.0f s: closed-book accuracy %.2f, in-context copy accuracy %.2f, "
                    + "memory over a conflicting context by %.1f nats%n", seconds, s.closedBook(), s.copy(), s.conflictMargin());
            StringBuilder along = new StringBuilder("  closed-book / copy / memory-over-context margin by step:");
            for (Probe pr : history) {
                along.append(String.format(" %d:%.2f/%.2f/%.1f", pr.step(), pr.scores().closedBook(), pr.scores().copy(),
                        pr.scores().conflictMargin()));
            }
            log.println(along);
            return new Result(dir, false, s.closedBook(), s.copy(), s.conflictMargin(), seconds, params);
        }
    }

    private static List<TokenExample> readDocs(Path file, HfTokenizer tok, int bos, int maxLen) {
        List<TokenExample> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.isBlank()) {
                    continue;
                }
                int[] enc = tok.encode(Json.MAPPER.readTree(line).get("text").asText());
                int n = Math.min(enc.length + 1, maxLen);
                int[] ids = new int[n];
                boolean[] mask = new boolean[n];
                ids[0] = bos;
                System.arraycopy(enc, 0, ids, 1, n - 1);
                for (int i = 1; i < n; i++) {
                    mask[i] = true;
                }
                out.add(new TokenExample(ids, mask));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** The final scores and each probe's carry the same fields (pretrain.json). */
    private static void putScores(ObjectNode o, PretrainProbes.Scores s) {
        o.put("closed_book_accuracy", s.closedBook());
        o.put("copy_accuracy", s.copy());
        o.put("conflict_context", s.conflictContext());
        o.put("conflict_margin", s.conflictMargin());
    }

    /** Probe scores after a pretraining step (stored in pretrain.json as the pretraining trajectory). */
    record Probe(int step, PretrainProbes.Scores scores) {}

    /** history's last entry is the final model's scores. */
    private static void save(Transformer t, HfTokenizer tok, Path dir, DemoConfig cfg, List<Probe> history,
                             double seconds, long params) {
        PretrainProbes.Scores s = history.get(history.size() - 1).scores();
        try {
            Files.createDirectories(dir.getParent());
            Path tmp = Files.createTempDirectory(dir.getParent(), dir.getFileName() + ".tmp-");
            Checkpoints.save(t, tok, tmp, DataType.FLOAT32);
            ObjectNode m = Json.object();
            putScores(m, s);
            m.put("seconds", seconds);
            var trajectory = m.putArray("probes");
            for (Probe pr : history) {
                putScores(trajectory.addObject().put("step", pr.step()), pr.scores());
            }
            m.put("parameters", params);
            m.set("settings", cfg.pretrainKey());
            m.put("cpu_kernels", Djl.cpuKernels()); // the rounding this model was trained with
            Json.writeFile(tmp.resolve(METRICS), m);
            if (Files.exists(dir)) {
                AtomicFiles.deleteRecursively(dir);
            }
            AtomicFiles.publishDirectory(tmp, dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
