package cpi.report;

import com.fasterxml.jackson.databind.JsonNode;
import cpi.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The terminal summaries of report inputs, as {@link TextTable}s (also used by compare and demo). */
public final class SummaryTables {
    private SummaryTables() {}

    /** One row per run and dataset: start, peak (step), final, drop, inversion, final parametric, capability. */
    public static TextTable runs(List<RunData> runs) {
        TextTable t = new TextTable("run", "dataset", "start", "peak", "step", "final", "drop", "inversion",
                "final par", "capability");
        for (RunData r : runs) {
            for (String ds : r.datasets()) {
                DatasetSummary s = r.summary(ds);
                t.row(r.name(), ds, s.start(), s.peak(), s.peakStep(), s.finalValue(), s.drop(),
                        s.inversion() == null ? "?" : s.inversion() ? "yes" : "no", s.finalParametric(),
                        s.finalCapability());
            }
        }
        return t;
    }

    /** One row per evaluation and dataset: n, counterfactual and parametric accuracy, other, memorisation. */
    public static TextTable evals(List<EvalData> evals) {
        TextTable t = new TextTable("eval", "dataset", "n", "cf acc", "par acc", "other", "mem ratio");
        for (EvalData e : evals) {
            for (String ds : e.datasets()) {
                JsonNode d = e.dataset(ds);
                t.row(e.name(), ds, d.path("n").asLong(), d.path("counterfactual_accuracy").asDouble(Double.NaN),
                        d.path("parametric_accuracy").asDouble(Double.NaN), d.path("other_rate").asDouble(Double.NaN),
                        d.path("memorization_ratio").asDouble(Double.NaN));
            }
        }
        return t;
    }

    /** One row per theory output: steps, start, peak (step) and final test M_C. */
    public static TextTable theories(List<Path> dirs) {
        TextTable t = new TextTable("theory", "steps", "start M_C", "peak M_C", "peak step", "final M_C", "drop");
        for (Path dir : dirs) {
            Path f = dir.resolve(TheoryReport.THEORY_FILE);
            if (!Files.isRegularFile(f)) {
                continue;
            }
            JsonNode traj = Json.read(f).path("trajectory");
            if (!traj.isArray() || traj.isEmpty()) {
                continue;
            }
            int peak = 0;
            for (int i = 1; i < traj.size(); i++) {
                if (traj.get(i).path("mc_test").asDouble() > traj.get(peak).path("mc_test").asDouble()) {
                    peak = i;
                }
            }
            double start = traj.get(0).path("mc_test").asDouble(Double.NaN);
            double top = traj.get(peak).path("mc_test").asDouble(Double.NaN);
            double fin = traj.get(traj.size() - 1).path("mc_test").asDouble(Double.NaN);
            t.row(RunData.dirName(dir), traj.get(traj.size() - 1).path("step").asLong(), start, top,
                    traj.get(peak).path("step").asLong(), fin, top - fin);
        }
        return t;
    }
}
