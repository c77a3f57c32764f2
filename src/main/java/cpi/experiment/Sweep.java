package cpi.experiment;

import ai.djl.ndarray.NDManager;
import cpi.CpiVersion;
import cpi.data.Dataset;
import cpi.data.Datasets;
import cpi.eval.EvalOptions;
import cpi.eval.EvalResult;
import cpi.eval.Evaluator;
import cpi.eval.PromptTemplate;
import cpi.eval.Templates;
import cpi.model.Checkpoints;
import cpi.model.HfTokenizer;
import cpi.model.LoadedModel;
import cpi.model.LocalTextModel;
import cpi.model.ModelLoader;
import cpi.model.Tokenizer;
import cpi.train.AttentionDiagnostic;
import cpi.util.Djl;
import cpi.util.Json;
import cpi.util.UserError;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Evaluates existing checkpoint directories (cpi's or another trainer's HF checkpoints) into a run's
 * trajectory store, keyed by the step number in each directory's name (step-000050, checkpoint-500,
 * global_step100). Records each checkpoint's weight fingerprint and warns when two checkpoints have
 * identical weights (a trainer that saved the same state twice, or a glob that matched copies).
 */
public final class Sweep {
    private Sweep() {}

    /**
     * @param checkpoints directories or glob patterns (e.g. "runs/a/checkpoints/step-*")
     * @param tokenizer   tokenizer directory/file for checkpoints without tokenizer.json (may be null)
     * @param force       re-evaluate steps that already have records for a dataset
     */
    public record Config(List<String> checkpoints, List<String> datasets, String template, String scorer, int limit,
                         Path dataDir, Path into, int attentionItems, Path tokenizer, boolean force) {}

    public record Entry(long step, Path dir, String fingerprint, boolean duplicate) {}

    public record Result(Path runDir, List<Entry> checkpoints, List<String> warnings, TrajectoryAnalysis.Result analysis) {}

    public interface Listener {
        default void onCheckpoint(Entry e, int index, int total) {}

        default void onWarning(String message) {
            System.err.println("cpi: warning: " + message);
        }
    }

    private static final Pattern LAST_NUMBER = Pattern.compile("(\\d+)(?!.*\\d)");

    /** Expands directories and globs, sorted by the step parsed from each name. */
    public static List<Path> expand(List<String> specs) {
        List<Path> out = new ArrayList<>();
        for (String s : specs) {
            if (s.contains("*") || s.contains("?") || s.contains("[")) {
                Path abs = Path.of(s).toAbsolutePath();
                Path base = abs.getRoot();
                int firstGlob = 0;
                for (int i = 0; i < abs.getNameCount(); i++) {
                    String part = abs.getName(i).toString();
                    if (part.contains("*") || part.contains("?") || part.contains("[")) {
                        firstGlob = i;
                        break;
                    }
                    base = base.resolve(part);
                }
                PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + abs);
                int depth = abs.getNameCount() - firstGlob;
                if (Files.isDirectory(base)) {
                    try (Stream<Path> w = Files.walk(base, depth)) {
                        w.filter(p -> Files.isDirectory(p) && m.matches(p)).forEach(out::add);
                    } catch (IOException e) {
                        throw new UserError("could not list " + base + ": " + e.getMessage());
                    }
                }
            } else {
                Path p = Path.of(s);
                if (!Files.isDirectory(p)) {
                    throw new UserError(s + ": no such checkpoint directory");
                }
                out.add(p);
            }
        }
        if (out.isEmpty()) {
            throw new UserError("--checkpoints " + specs + " matched no directory");
        }
        out.sort(Comparator.comparingLong((Path p) -> stepOf(p, -1)).thenComparing(Path::toString));
        return out;
    }

    /** The last number in a directory name (step-000050 → 50), or fallback. */
    public static long stepOf(Path dir, long fallback) {
        Matcher m = LAST_NUMBER.matcher(dir.getFileName().toString());
        return m.find() ? Long.parseLong(m.group(1)) : fallback;
    }

    public static Result run(Config cfg, Listener listener) {
        Djl.engine();
        Listener l = listener == null ? new Listener() {} : listener;
        List<Path> dirs = expand(cfg.checkpoints());
        List<Dataset> datasets = new ArrayList<>();
        for (String d : cfg.datasets()) {
            datasets.add(Datasets.load(d, cfg.dataDir()));
        }
        if (datasets.isEmpty()) {
            throw new UserError("--dataset is required (a conflict dataset name or file, e.g. cf_world_facts)");
        }
        List<String> warnings = new ArrayList<>();
        List<Entry> entries = new ArrayList<>();
        Map<String, Path> seen = new LinkedHashMap<>();
        Evaluator evaluator = new Evaluator();
        try (RunLock lock = RunLock.acquire(cfg.into())) {
            TrajectoryStore store = new TrajectoryStore(cfg.into());
            for (int i = 0; i < dirs.size(); i++) {
                Path dir = dirs.get(i);
                long step = stepOf(dir, i);
                if (!Files.isRegularFile(dir.resolve("config.json"))) {
                    throw new UserError(dir + ": no config.json (a full HF checkpoint is needed; for a LoRA adapter "
                            + "directory sweep the merged weights cpi saves next to it)");
                }
                String fp = Checkpoints.fingerprint(dir);
                Path twin = seen.get(fp);
                if (twin != null) {
                    String w = dir + " has the same weights as " + twin + " (" + fp + "); its points duplicate that "
                            + "checkpoint's";
                    warnings.add(w);
                    l.onWarning(w);
                }
                seen.putIfAbsent(fp, dir);
                Entry e = new Entry(step, dir, fp, twin != null);
                entries.add(e);
                l.onCheckpoint(e, i, dirs.size());
                List<String> todo = new ArrayList<>();
                for (Dataset d : datasets) {
                    boolean done = store.read().stream().anyMatch(r -> r.step() == step && r.dataset().equals(d.name())
                            && r.metric().equals("counterfactual_accuracy"));
                    if (cfg.force() || !done) {
                        todo.add(d.name());
                    }
                }
                if (todo.isEmpty()) {
                    continue;
                }
                try (NDManager m = NDManager.newBaseManager()) {
                    LoadedModel lm = ModelLoader.load(dir, m);
                    Tokenizer tok = lm.tokenizer();
                    if (tok == null && cfg.tokenizer() != null) {
                        tok = HfTokenizer.load(cfg.tokenizer());
                    }
                    if (tok == null) {
                        throw new UserError(dir + ": no tokenizer.json; pass --tokenizer PATH (the base model's)");
                    }
                    PromptTemplate template = Templates.resolve(cfg.template(), tok);
                    LocalTextModel tm = new LocalTextModel(lm.transformer(), tok, fp);
                    Path evalDir = cfg.into().resolve("eval").resolve(CheckpointStore.dirName(step));
                    for (Dataset d : datasets) {
                        if (!todo.contains(d.name())) {
                            continue;
                        }
                        EvalOptions opts = EvalOptions.defaults().withLimit(cfg.limit()).withOutDir(evalDir)
                                .withProgress(false);
                        if (cfg.force()) {
                            try {
                                Files.deleteIfExists(evalDir.resolve(Evaluator.itemsFileName(d.name())));
                            } catch (IOException ex) {
                                throw new UserError("could not replace " + evalDir + ": " + ex.getMessage());
                            }
                        }
                        EvalResult r = evaluator.evaluate(tm, d, template, cfg.scorer(), opts);
                        List<TrajectoryRecord> rs = new ArrayList<>(r.toTrajectory(step));
                        if (cfg.attentionItems() > 0) {
                            AttentionDiagnostic.Result a = AttentionDiagnostic.measure(lm.transformer(), tok, template,
                                    d.items().subList(0, Math.min(cfg.attentionItems(), d.items().size())),
                                    lm.config().maxPositions());
                            if (a.items() > 0) {
                                rs.add(new TrajectoryRecord(step, d.name(), "attention_context", a.context(),
                                        Double.NaN, Double.NaN, a.items()));
                                rs.add(new TrajectoryRecord(step, d.name(), "attention_question", a.question(),
                                        Double.NaN, Double.NaN, a.items()));
                            }
                        }
                        store.append(rs);
                    }
                    if (tok != lm.tokenizer()) {
                        tok.close();
                    }
                }
            }
            writeRunJson(cfg, datasets, entries, warnings);
            return new Result(cfg.into(), entries, warnings, TrajectoryAnalysis.write(cfg.into()));
        }
    }

    /** Dataset hashes as "sha256:HEX" whether or not the loader already prefixed them. */
    static String sha(String h) {
        return h.startsWith("sha256:") ? h : "sha256:" + h;
    }

    private static void writeRunJson(Config cfg, List<Dataset> datasets, List<Entry> entries, List<String> warnings) {
        Path rj = cfg.into().resolve("run.json");
        ObjectNode run = Files.isRegularFile(rj) ? (ObjectNode) Json.read(rj) : Json.object();
        if (!run.has("kind")) {
            run.put("kind", "sweep");
            run.put("name", cfg.into().toAbsolutePath().normalize().getFileName().toString());
        }
        ObjectNode sweep = run.putObject("sweep");
        sweep.put("updated", Instant.now().toString());
        sweep.put("template", cfg.template());
        sweep.put("scorer", cfg.scorer());
        sweep.put("cpi_version", CpiVersion.VERSION);
        ObjectNode ds = sweep.putObject("datasets");
        datasets.forEach(d -> ds.put(d.name(), sha(d.sha256())));
        ArrayNode cks = sweep.putArray("checkpoints");
        for (Entry e : entries) {
            ObjectNode c = cks.addObject();
            c.put("step", e.step());
            c.put("dir", e.dir().toAbsolutePath().normalize().toString());
            c.put("fingerprint", e.fingerprint());
            c.put("identical_to_earlier", e.duplicate());
        }
        ArrayNode w = sweep.putArray("warnings");
        warnings.forEach(w::add);
        if (!run.has("provenance")) {
            Map<String, String> hashes = new LinkedHashMap<>();
            datasets.forEach(d -> hashes.put(d.name(), sha(d.sha256())));
            JsonNode config = Json.MAPPER.valueToTree(Map.of("checkpoints", cfg.checkpoints(), "datasets",
                    cfg.datasets(), "template", cfg.template(), "scorer", cfg.scorer(), "limit", cfg.limit()));
            String model = entries.isEmpty() ? "" : entries.get(0).fingerprint();
            run.set("provenance", Provenance.of(model, hashes, cfg.template(), null, config).toJson());
        }
        Json.writeFile(rj, run);
    }
}
