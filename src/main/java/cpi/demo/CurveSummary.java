package cpi.demo;

import com.fasterxml.jackson.databind.node.ObjectNode;
import cpi.experiment.TrajectoryRecord;
import cpi.util.Json;
import java.util.List;
import java.util.TreeMap;

/**
 * Start, peak and final of a variant's counterfactual-accuracy curve, plus final parametric accuracy,
 * capability and closed-book question accuracy: the numbers of summary.json. The peak is the first step
 * with the maximum value.
 */
public record CurveSummary(double startCf, long peakStep, double peakCf, double finalCf, long finalStep,
                           double finalParametric, double finalCapability, double finalClosedBook,
                           TreeMap<Long, Double> cfCurve) {

    /** The trajectory metric of the world's closed-book questions (a capability benchmark named after its file). */
    public static final String CLOSED_BOOK_METRIC =
            cpi.train.McBenchmark.metric(java.nio.file.Path.of(cpi.world.WorldFiles.EVAL_CLOSED_BOOK));

    public double drop() {
        return peakCf - finalCf;
    }

    public double rise() {
        return peakCf - startCf;
    }

    /** From a run's trajectory: cfDataset's counterfactual/parametric accuracy, "_capability" accuracy. */
    public static CurveSummary of(List<TrajectoryRecord> records, String cfDataset) {
        if (cfDataset == null) {
            cfDataset = records.stream().filter(r -> r.metric().equals("counterfactual_accuracy")
                    && !r.dataset().startsWith("_")).map(TrajectoryRecord::dataset).findFirst().orElse("?");
        }
        TreeMap<Long, Double> cf = series(records, cfDataset, "counterfactual_accuracy");
        TreeMap<Long, Double> par = series(records, cfDataset, "parametric_accuracy");
        TreeMap<Long, Double> cap = series(records, "_capability", "capability");
        TreeMap<Long, Double> closedBook = series(records, "_capability", CLOSED_BOOK_METRIC);
        if (cf.isEmpty()) {
            throw new IllegalStateException("no counterfactual_accuracy records for " + cfDataset);
        }
        long peakStep = cf.firstKey();
        double peak = Double.NEGATIVE_INFINITY;
        for (var e : cf.entrySet()) {
            if (e.getValue() > peak) {
                peak = e.getValue();
                peakStep = e.getKey();
            }
        }
        return new CurveSummary(cf.firstEntry().getValue(), peakStep, peak, cf.lastEntry().getValue(), cf.lastKey(),
                par.isEmpty() ? Double.NaN : par.lastEntry().getValue(),
                cap.isEmpty() ? Double.NaN : cap.lastEntry().getValue(),
                closedBook.isEmpty() ? Double.NaN : closedBook.lastEntry().getValue(), cf);
    }

    static TreeMap<Long, Double> series(List<TrajectoryRecord> records, String dataset, String metric) {
        TreeMap<Long, Double> out = new TreeMap<>();
        for (TrajectoryRecord r : records) {
            if (r.dataset().equals(dataset) && r.metric().equals(metric) && Double.isFinite(r.value())) {
                out.put(r.step(), r.value());
            }
        }
        return out;
    }

    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("start_cf_accuracy", startCf);
        o.put("peak_step", peakStep);
        o.put("peak_cf_accuracy", peakCf);
        o.put("final_cf_accuracy", finalCf);
        o.put("drop", drop());
        o.put("final_parametric_accuracy", finalParametric);
        o.put("final_capability", finalCapability);
        if (Double.isFinite(finalClosedBook)) {
            o.put("final_closed_book_accuracy", finalClosedBook);
        }
        o.put("final_step", finalStep);
        return o;
    }
}
