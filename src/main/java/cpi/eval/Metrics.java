package cpi.eval;

import cpi.util.Json;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Context-reliance metrics over completed items, each with a percentile-bootstrap 95% CI: counterfactual
 * accuracy, parametric accuracy, other rate (neither answer), memorisation ratio p_par / (p_par + p_cf).
 * n counts completed items; failed counts items that were attempted or due but have no verdict.
 */
public record Metrics(long n, long failed, double counterfactualAccuracy, double cfLow, double cfHigh,
                      double parametricAccuracy, double parLow, double parHigh, double otherRate, double otherLow,
                      double otherHigh, double memorizationRatio, double memLow, double memHigh) {

    /** Metrics of the ok items; failed is passed in (items without a verdict). */
    public static Metrics of(List<ItemResult> ok, long failed, int bootstrap, long seed) {
        int n = ok.size();
        if (n == 0) {
            double nan = Double.NaN;
            return new Metrics(0, failed, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan);
        }
        boolean[] cf = new boolean[n];
        boolean[] par = new boolean[n];
        for (int i = 0; i < n; i++) {
            cf[i] = ok.get(i).cf();
            par[i] = ok.get(i).par();
        }
        double[] point = rates(cf, par, null);
        int b = Math.max(0, bootstrap);
        double[][] samples = new double[4][b];
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] idx = new int[n];
        for (int s = 0; s < b; s++) {
            for (int i = 0; i < n; i++) {
                idx[i] = rnd.nextInt(n);
            }
            double[] r = rates(cf, par, idx);
            for (int k = 0; k < 4; k++) {
                samples[k][s] = r[k];
            }
        }
        double[][] ci = new double[4][];
        for (int k = 0; k < 4; k++) {
            ci[k] = percentileCi(samples[k]);
        }
        return new Metrics(n, failed, point[0], ci[0][0], ci[0][1], point[1], ci[1][0], ci[1][1], point[2], ci[2][0],
                ci[2][1], point[3], ci[3][0], ci[3][1]);
    }

    /** cf accuracy, par accuracy, other rate, memorisation ratio over the (resampled) items. */
    private static double[] rates(boolean[] cf, boolean[] par, int[] idx) {
        int n = cf.length;
        int c = 0;
        int p = 0;
        int o = 0;
        for (int j = 0; j < n; j++) {
            int i = idx == null ? j : idx[j];
            c += cf[i] ? 1 : 0;
            p += par[i] ? 1 : 0;
            o += !cf[i] && !par[i] ? 1 : 0;
        }
        double pc = (double) c / n;
        double pp = (double) p / n;
        return new double[] {pc, pp, (double) o / n, c + p == 0 ? Double.NaN : pp / (pp + pc)};
    }

    private static double[] percentileCi(double[] xs) {
        double[] v = Arrays.stream(xs).filter(x -> !Double.isNaN(x)).sorted().toArray();
        if (v.length == 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        return new double[] {v[(int) Math.floor(0.025 * (v.length - 1))], v[(int) Math.ceil(0.975 * (v.length - 1))]};
    }

    /** The summary.json form: n, failed, the four metrics and their CIs as [low, high]. */
    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("n", n);
        o.put("failed", failed);
        put(o, "counterfactual_accuracy", counterfactualAccuracy);
        ci(o, "counterfactual_ci", cfLow, cfHigh);
        put(o, "parametric_accuracy", parametricAccuracy);
        ci(o, "parametric_ci", parLow, parHigh);
        put(o, "other_rate", otherRate);
        ci(o, "other_ci", otherLow, otherHigh);
        put(o, "memorization_ratio", memorizationRatio);
        ci(o, "memorization_ci", memLow, memHigh);
        return o;
    }

    private static void put(ObjectNode o, String k, double v) {
        if (Double.isNaN(v)) {
            o.putNull(k);
        } else {
            o.put(k, v);
        }
    }

    private static void ci(ObjectNode o, String k, double lo, double hi) {
        if (Double.isNaN(lo)) {
            o.putNull(k);
        } else {
            o.putArray(k).add(lo).add(hi);
        }
    }
}
