package cpi.eval;

import cpi.experiment.TrajectoryRecord;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The evaluation of one model on one dataset: overall and per-stratum {@link Metrics} over completed items,
 * the per-item results in dataset order (failed ones included, marked), and what produced them.
 *
 * @param datasetSha256 "sha256:HEX" of the dataset's file(s)
 * @param total items due (after --limit); total - n() items have no verdict (failed or not reached)
 */
public record EvalResult(String dataset, String datasetSha256, String model, String template, String scorer,
                         int total, Metrics metrics, Map<String, Metrics> strata, List<ItemResult> items) {

    public long n() {
        return metrics.n();
    }

    public long failed() {
        return metrics.failed();
    }

    public double counterfactualAccuracy() {
        return metrics.counterfactualAccuracy();
    }

    public double parametricAccuracy() {
        return metrics.parametricAccuracy();
    }

    public double otherRate() {
        return metrics.otherRate();
    }

    public double memorizationRatio() {
        return metrics.memorizationRatio();
    }

    public double cfCiLow() {
        return metrics.cfLow();
    }

    public double cfCiHigh() {
        return metrics.cfHigh();
    }

    public double parCiLow() {
        return metrics.parLow();
    }

    public double parCiHigh() {
        return metrics.parHigh();
    }

    /** The four conflict metrics at a training step, with CIs and n (trajectory conventions). */
    public List<TrajectoryRecord> toTrajectory(long step) {
        Metrics m = metrics;
        List<TrajectoryRecord> out = new ArrayList<>();
        out.add(new TrajectoryRecord(step, dataset, "counterfactual_accuracy", m.counterfactualAccuracy(), m.cfLow(),
                m.cfHigh(), m.n()));
        out.add(new TrajectoryRecord(step, dataset, "parametric_accuracy", m.parametricAccuracy(), m.parLow(),
                m.parHigh(), m.n()));
        out.add(new TrajectoryRecord(step, dataset, "other_rate", m.otherRate(), m.otherLow(), m.otherHigh(), m.n()));
        out.add(new TrajectoryRecord(step, dataset, "memorization_ratio", m.memorizationRatio(), m.memLow(),
                m.memHigh(), m.n()));
        return out;
    }

    /** summary.json's datasets.NAME object: metrics, CIs, total, sha256, template, scorer, strata. */
    public ObjectNode toJson() {
        ObjectNode o = metrics.toJson();
        o.put("total", total);
        o.put("sha256", datasetSha256);
        o.put("template", template);
        o.put("scorer", scorer);
        ObjectNode s = o.putObject("strata");
        strata.forEach((k, v) -> s.set(k, v.toJson()));
        return o;
    }
}
