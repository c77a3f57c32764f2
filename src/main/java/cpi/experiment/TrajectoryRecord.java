package cpi.experiment;

/**
 * One measured point of a run: a metric on a dataset at a training step. Records are keyed by
 * (step, dataset, metric), so evaluations may arrive in any order (e.g. a later `cpi sweep` of old
 * checkpoints) and a re-measured point replaces the earlier one.
 *
 * <p>Conventions: dataset "_train" holds training-side metrics (loss, lr); "_capability" the
 * capability score and, as "benchmark_NAME" ({@link #BENCHMARK_PREFIX}), each in-loop benchmark's accuracy;
 * conflict datasets hold counterfactual_accuracy, parametric_accuracy, other_rate,
 * memorization_ratio, attention_context, attention_question. ciLow/ciHigh are NaN when unknown.
 */
public record TrajectoryRecord(long step, String dataset, String metric, double value,
                               double ciLow, double ciHigh, long n) {

    /** "_capability" metrics of in-loop benchmarks are this prefix plus the benchmark's name (train writes, report reads). */
    public static final String BENCHMARK_PREFIX = "benchmark_";

    public TrajectoryRecord {
        if (dataset == null || dataset.isBlank() || metric == null || metric.isBlank()) {
            throw new IllegalArgumentException("dataset and metric are required");
        }
    }

    public static TrajectoryRecord of(long step, String dataset, String metric, double value) {
        return new TrajectoryRecord(step, dataset, metric, value, Double.NaN, Double.NaN, 0);
    }

    public Key key() {
        return new Key(step, dataset, metric);
    }

    public record Key(long step, String dataset, String metric) {}
}
