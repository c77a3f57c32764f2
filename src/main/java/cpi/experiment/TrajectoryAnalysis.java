package cpi.experiment;

import cpi.report.Flips;
import cpi.report.RunData;
import cpi.util.Json;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The shape of a run's context reliance: for each conflict dataset the counterfactual accuracy at the
 * start, its peak (first maximum) and step, the final value, the drop (peak − final), and whether it is an
 * inversion: the peak lies strictly inside the run and its CI lies above both the start's and the
 * final's CIs (rise, then fall, beyond noise). Plus capability at the start, the peak and the end, and the
 * per-item flip table between the peak and the final evaluation (items that moved from the context answer
 * to the parametric one). Written to {@code RUN/analysis.json}.
 */
public final class TrajectoryAnalysis {
    public static final String FILE_NAME = "analysis.json";
    public static final String CF = "counterfactual_accuracy";
    public static final String PAR = "parametric_accuracy";

    private TrajectoryAnalysis() {}

    /** Per-dataset headline numbers. inversion is null when no CI (nor n) is known to judge by. */
    public record DatasetAnalysis(String dataset, long startStep, double start, long peakStep, double peak,
                                  double peakCiLow, double peakCiHigh, long finalStep, double finalValue,
                                  double drop, Boolean inversion, double parametricAtPeak, double parametricFinal,
                                  double capabilityAtPeak, double capabilityFinal, int points,
                                  Flips.FlipSet flips) {}

    public record Result(Map<String, DatasetAnalysis> datasets, double capabilityStart, double capabilityFinal,
                         double trainLossFinal) {

        public ObjectNode toJson() {
            ObjectNode o = Json.object();
            ObjectNode ds = o.putObject("datasets");
            datasets.forEach((name, a) -> ds.set(name, json(a)));
            ObjectNode cap = o.putObject("capability");
            num(cap, "start", capabilityStart);
            num(cap, "final", capabilityFinal);
            num(o, "train_loss_final", trainLossFinal);
            return o;
        }
    }

    /** Analysis of a run directory (trajectory.jsonl, plus eval/step-N/ item files for flips). */
    public static Result analyze(Path runDir) {
        RunData run = RunData.load(runDir);
        return analyze(run.records(), run);
    }

    /** Analysis of in-memory records (no flip tables). */
    public static Result analyze(List<TrajectoryRecord> records) {
        return analyze(records, null);
    }

    private static Result analyze(List<TrajectoryRecord> records, RunData run) {
        Map<String, Map<String, TreeMap<Long, TrajectoryRecord>>> by = new TreeMap<>();
        for (TrajectoryRecord r : records) {
            if (!Double.isFinite(r.value())) {
                continue;
            }
            by.computeIfAbsent(r.dataset(), k -> new TreeMap<>()).computeIfAbsent(r.metric(), k -> new TreeMap<>())
                    .put(r.step(), r);
        }
        TreeMap<Long, TrajectoryRecord> cap = by.getOrDefault("_capability", Map.of())
                .getOrDefault("capability", new TreeMap<>());
        Map<String, DatasetAnalysis> out = new TreeMap<>();
        for (var e : by.entrySet()) {
            String ds = e.getKey();
            TreeMap<Long, TrajectoryRecord> cf = e.getValue().get(CF);
            if (ds.startsWith("_") || cf == null || cf.isEmpty()) {
                continue;
            }
            List<TrajectoryRecord> pts = new ArrayList<>(cf.values());
            TrajectoryRecord first = pts.get(0);
            TrajectoryRecord last = pts.get(pts.size() - 1);
            TrajectoryRecord peak = first;
            for (TrajectoryRecord r : pts) {
                if (r.value() > peak.value()) {
                    peak = r;
                }
            }
            double[] ciPeak = ci(peak);
            double[] ciFirst = ci(first);
            double[] ciLast = ci(last);
            Boolean inversion = null;
            if (Double.isFinite(ciPeak[0]) && Double.isFinite(ciFirst[1]) && Double.isFinite(ciLast[1])) {
                inversion = peak != first && peak != last && ciPeak[0] > ciFirst[1] && ciPeak[0] > ciLast[1];
            } else if (pts.size() < 3 || peak == first || peak == last) {
                inversion = false;
            }
            TreeMap<Long, TrajectoryRecord> par = e.getValue().getOrDefault(PAR, new TreeMap<>());
            Flips.FlipSet flips = run != null && run.dir() != null ? Flips.of(run, ds) : null;
            out.put(ds, new DatasetAnalysis(ds, first.step(), first.value(), peak.step(), peak.value(), ciPeak[0],
                    ciPeak[1], last.step(), last.value(), peak.value() - last.value(), inversion,
                    valueAt(par, peak.step()), valueAt(par, last.step()), valueAt(cap, peak.step()),
                    valueAt(cap, last.step()), pts.size(), flips));
        }
        TreeMap<Long, TrajectoryRecord> loss = by.getOrDefault("_train", Map.of()).getOrDefault("loss", new TreeMap<>());
        return new Result(out, cap.isEmpty() ? Double.NaN : cap.firstEntry().getValue().value(),
                cap.isEmpty() ? Double.NaN : cap.lastEntry().getValue().value(),
                loss.isEmpty() ? Double.NaN : loss.lastEntry().getValue().value());
    }

    /** Writes {@code RUN/analysis.json} atomically and returns the analysis. */
    public static Result write(Path runDir) {
        Result r = analyze(runDir);
        Json.writeFile(runDir.resolve(FILE_NAME), r.toJson());
        return r;
    }

    private static double valueAt(TreeMap<Long, TrajectoryRecord> m, long step) {
        TrajectoryRecord r = m.get(step);
        return r == null ? Double.NaN : r.value();
    }

    /** The record's CI, else a 95% Wilson interval from n, else NaNs. */
    static double[] ci(TrajectoryRecord r) {
        if (Double.isFinite(r.ciLow()) && Double.isFinite(r.ciHigh())) {
            return new double[] {r.ciLow(), r.ciHigh()};
        }
        if (r.n() > 0 && r.value() >= 0 && r.value() <= 1) {
            return wilson(r.value(), r.n());
        }
        return new double[] {Double.NaN, Double.NaN};
    }

    /** 95% Wilson score interval of a proportion p over n trials. */
    public static double[] wilson(double p, long n) {
        double z = 1.959963984540054;
        double z2 = z * z;
        double denom = 1 + z2 / n;
        double center = (p + z2 / (2.0 * n)) / denom;
        double half = z * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n)) / denom;
        return new double[] {Math.max(0, center - half), Math.min(1, center + half)};
    }

    private static ObjectNode json(DatasetAnalysis a) {
        ObjectNode o = Json.object();
        o.put("dataset", a.dataset());
        o.put("points", a.points());
        o.put("start_step", a.startStep());
        num(o, "start", a.start());
        o.put("peak_step", a.peakStep());
        num(o, "peak", a.peak());
        num(o, "peak_ci_low", a.peakCiLow());
        num(o, "peak_ci_high", a.peakCiHigh());
        o.put("final_step", a.finalStep());
        num(o, "final", a.finalValue());
        num(o, "drop", a.drop());
        if (a.inversion() == null) {
            o.putNull("inversion");
        } else {
            o.put("inversion", a.inversion());
        }
        num(o, "parametric_at_peak", a.parametricAtPeak());
        num(o, "parametric_final", a.parametricFinal());
        num(o, "capability_at_peak", a.capabilityAtPeak());
        num(o, "capability_final", a.capabilityFinal());
        if (a.flips() != null) {
            Flips.FlipSet f = a.flips();
            ObjectNode fj = o.putObject("flips");
            fj.put("peak_step", f.peakStep());
            fj.put("final_step", f.finalStep());
            fj.put("compared", f.compared());
            fj.put("context_to_parametric", f.toParametric().size());
            fj.put("parametric_to_context", f.toContext());
            ArrayNode items = fj.putArray("items");
            for (Flips.Flip x : f.toParametric()) {
                ObjectNode it = items.addObject();
                it.put("id", x.id());
                it.put("stratum", x.stratum());
                it.put("counterfactual_answer", x.counterfactualAnswer());
                it.put("parametric_answer", x.parametricAnswer());
                it.put("peak_output", x.peakOutput());
                it.put("final_output", x.finalOutput());
            }
        }
        return o;
    }

    private static void num(ObjectNode o, String f, double v) {
        if (Double.isFinite(v)) {
            o.put(f, v);
        } else {
            o.putNull(f);
        }
    }
}
