package cpi.report;

import cpi.experiment.TrajectoryRecord;
import cpi.experiment.TrajectoryStore;
import cpi.util.Json;
import cpi.util.UserError;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A run directory as the report sees it: {@code run.json}, the trajectory, {@code analysis.json} when
 * present, and the per-item evaluation files under {@code eval/step-NNNNNN/}.
 */
public final class RunData {
    public static final String TRAIN = "_train";
    public static final String CAPABILITY = "_capability";
    public static final String CF = "counterfactual_accuracy";
    public static final String PAR = "parametric_accuracy";
    public static final String OTHER = "other_rate";
    public static final String ATT_CONTEXT = "attention_context";
    public static final String ATT_QUESTION = "attention_question";
    public static final String LOSS = "loss";
    public static final String HELDOUT_LOSS = "heldout_loss";
    public static final String CAPABILITY_SCORE = "capability";
    public static final String CONTEXT_QA = "context_qa_accuracy";

    private static final Pattern STEP_DIR = Pattern.compile("step-(\\d+)");
    private static final Pattern ITEMS_FILE = Pattern.compile("items\\.(.+)\\.jsonl");

    private final Path dir;
    private final String name;
    private final JsonNode runJson;
    private final JsonNode analysis;
    private final List<TrajectoryRecord> records;
    private final Map<String, Map<String, List<TrajectoryRecord>>> byDatasetMetric = new TreeMap<>();

    private RunData(Path dir, String name, JsonNode runJson, JsonNode analysis, List<TrajectoryRecord> records) {
        this.dir = dir;
        this.name = name;
        this.runJson = runJson;
        this.analysis = analysis;
        this.records = List.copyOf(records);
        for (TrajectoryRecord r : this.records) {
            byDatasetMetric.computeIfAbsent(r.dataset(), k -> new TreeMap<>())
                    .computeIfAbsent(r.metric(), k -> new ArrayList<>()).add(r);
        }
    }

    /** True when {@code dir} looks like a run directory (has a trajectory or a run.json). */
    public static boolean isRunDir(Path dir) {
        return Files.isRegularFile(dir.resolve(TrajectoryStore.FILE_NAME)) || Files.isRegularFile(dir.resolve("run.json"));
    }

    public static RunData load(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new UserError(dir + ": no such run directory");
        }
        if (!isRunDir(dir)) {
            throw new UserError(dir + ": not a run directory (no trajectory.jsonl or run.json); pass the --out "
                    + "directory of cpi finetune, sweep or demo");
        }
        Path runFile = dir.resolve("run.json");
        JsonNode run = Files.isRegularFile(runFile) ? Json.read(runFile) : null;
        Path analysisFile = dir.resolve("analysis.json");
        JsonNode analysis = Files.isRegularFile(analysisFile) ? Json.read(analysisFile) : null;
        String name = run != null && run.hasNonNull("name") && !run.get("name").asText().isBlank()
                ? run.get("name").asText() : dirName(dir);
        return new RunData(dir, name, run, analysis, new TrajectoryStore(dir).read());
    }

    /** An in-memory run (no directory), e.g. for charts of a run still in progress. */
    public static RunData of(String name, List<TrajectoryRecord> records) {
        return new RunData(null, name, null, null, records);
    }

    static String dirName(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        return abs.getFileName() == null ? abs.toString() : abs.getFileName().toString();
    }

    public Path dir() {
        return dir;
    }

    public String name() {
        return name;
    }

    /** run.json's "kind" (e.g. finetune, sweep, demo), or "" when unknown. */
    public String kind() {
        return runJson != null && runJson.hasNonNull("kind") ? runJson.get("kind").asText() : "";
    }

    public JsonNode runJson() {
        return runJson;
    }

    public JsonNode analysis() {
        return analysis;
    }

    public List<TrajectoryRecord> records() {
        return records;
    }

    /** Conflict datasets with a counterfactual accuracy, alphabetically (not "_train", "_capability"). */
    public List<String> datasets() {
        List<String> out = new ArrayList<>();
        byDatasetMetric.forEach((ds, metrics) -> {
            if (!ds.startsWith("_") && metrics.containsKey(CF)) {
                out.add(ds);
            }
        });
        return out;
    }

    /** Capability benchmarks scored in-loop ("_capability" metrics "benchmark_NAME"), in the order recorded. */
    public List<String> benchmarkMetrics() {
        List<String> out = new ArrayList<>();
        byDatasetMetric.getOrDefault(CAPABILITY, Map.of()).keySet().forEach(m -> {
            if (m.startsWith(TrajectoryRecord.BENCHMARK_PREFIX)) {
                out.add(m);
            }
        });
        return out;
    }

    public boolean has(String dataset, String metric) {
        return byDatasetMetric.getOrDefault(dataset, Map.of()).containsKey(metric);
    }

    /**
     * A metric of a dataset over the run. Non-finite values (a NaN loss from a skipped step, say) are left
     * out: they cannot be drawn, and a peak or final value must be a measured number.
     */
    public Curve curve(String dataset, String metric) {
        List<TrajectoryRecord> rs = byDatasetMetric.getOrDefault(dataset, Map.of()).getOrDefault(metric, List.of())
                .stream().filter(r -> Double.isFinite(r.value())).toList();
        int n = rs.size();
        long[] steps = new long[n];
        double[] v = new double[n];
        double[] lo = new double[n];
        double[] hi = new double[n];
        for (int i = 0; i < n; i++) {
            TrajectoryRecord r = rs.get(i); // sorted by step by TrajectoryStore.read, unique per step
            steps[i] = r.step();
            v[i] = r.value();
            lo[i] = r.ciLow();
            hi[i] = r.ciHigh();
        }
        return new Curve(dataset, metric, steps, v, lo, hi);
    }

    public Curve capability() {
        return curve(CAPABILITY, CAPABILITY_SCORE);
    }

    /** Headline numbers of a dataset, computed from the trajectory (peak = first maximum). */
    public DatasetSummary summary(String dataset) {
        Curve cf = curve(dataset, CF);
        if (cf.isEmpty()) {
            return null;
        }
        int first = 0;
        int last = cf.size() - 1;
        int peak = 0;
        for (int i = 1; i < cf.size(); i++) {
            if (cf.values()[i] > cf.values()[peak]) {
                peak = i;
            }
        }
        Boolean inversion = null;
        if (Double.isFinite(cf.lo()[peak]) && Double.isFinite(cf.hi()[first]) && Double.isFinite(cf.hi()[last])) {
            inversion = peak != first && peak != last
                    && cf.lo()[peak] > cf.hi()[first] && cf.lo()[peak] > cf.hi()[last];
        }
        JsonNode a = analysisFor(dataset);
        if (a != null && a.has("inversion") && a.get("inversion").isBoolean()) {
            inversion = a.get("inversion").asBoolean();
        }
        long finalStep = cf.steps()[last];
        Curve cap = capability();
        double finalCap = cap.isEmpty() ? Double.NaN : cap.values()[cap.size() - 1];
        return new DatasetSummary(dataset, cf.steps()[first], cf.values()[first], cf.steps()[peak], cf.values()[peak],
                finalStep, cf.values()[last], cf.values()[peak] - cf.values()[last], inversion,
                curve(dataset, PAR).at(finalStep), finalCap);
    }

    /**
     * analysis.json's entry for a dataset: {@code datasets.NAME} when the file is per dataset, or the top
     * level when it names this dataset or the run has only one.
     */
    private JsonNode analysisFor(String dataset) {
        if (analysis == null) {
            return null;
        }
        if (analysis.has("datasets") && analysis.get("datasets").has(dataset)) {
            return analysis.get("datasets").get(dataset);
        }
        if (analysis.has("dataset")) {
            return analysis.get("dataset").asText().equals(dataset) ? analysis : null;
        }
        return datasets().size() == 1 ? analysis : null;
    }

    /** Steps that have per-item evaluation records for a dataset, ascending. */
    public List<Long> evalSteps(String dataset) {
        TreeSet<Long> steps = new TreeSet<>();
        forEachItemsFile((step, ds, file) -> {
            if (ds.equals(dataset)) {
                steps.add(step);
            }
        });
        return new ArrayList<>(steps);
    }

    public Path itemsFile(long step, String dataset) {
        return dir.resolve("eval").resolve(String.format("step-%06d", step)).resolve("items." + dataset + ".jsonl");
    }

    /** Every eval/step-N/items.D.jsonl file of the run. */
    public List<Path> itemsFiles() {
        List<Path> out = new ArrayList<>();
        forEachItemsFile((step, ds, file) -> out.add(file));
        return out;
    }

    private interface ItemsVisitor {
        void visit(long step, String dataset, Path file);
    }

    private void forEachItemsFile(ItemsVisitor visitor) {
        if (dir == null) {
            return;
        }
        Path evalDir = dir.resolve("eval");
        if (!Files.isDirectory(evalDir)) {
            return;
        }
        try (Stream<Path> stepDirs = Files.list(evalDir)) {
            for (Path sd : stepDirs.sorted().toList()) {
                Matcher m = STEP_DIR.matcher(sd.getFileName().toString());
                if (!m.matches() || !Files.isDirectory(sd)) {
                    continue;
                }
                long step = Long.parseLong(m.group(1));
                try (Stream<Path> files = Files.list(sd)) {
                    for (Path f : files.sorted().toList()) {
                        Matcher fm = ITEMS_FILE.matcher(f.getFileName().toString());
                        if (fm.matches()) {
                            visitor.visit(step, fm.group(1), f);
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
