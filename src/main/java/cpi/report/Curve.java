package cpi.report;

/**
 * One metric of one dataset over a run, ordered by step. {@code lo}/{@code hi} are the CI bounds (NaN
 * where unknown).
 */
public record Curve(String dataset, String metric, long[] steps, double[] values, double[] lo, double[] hi) {

    public int size() {
        return steps.length;
    }

    public boolean isEmpty() {
        return steps.length == 0;
    }

    public double[] stepsAsDouble() {
        double[] x = new double[steps.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = steps[i];
        }
        return x;
    }

    /** Value at a step, or NaN when the step was not measured. */
    public double at(long step) {
        int i = indexOf(step);
        return i < 0 ? Double.NaN : values[i];
    }

    public int indexOf(long step) {
        int i = java.util.Arrays.binarySearch(steps, step);
        return i < 0 ? -1 : i;
    }

    public boolean hasCi() {
        for (int i = 0; i < lo.length; i++) {
            if (Double.isFinite(lo[i]) && Double.isFinite(hi[i])) {
                return true;
            }
        }
        return false;
    }
}
