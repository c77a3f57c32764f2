package cpi.theory;

import java.util.List;
import java.util.Locale;

/** The plain-text tables {@code cpi theory} prints. */
public final class TheoryTable {
    private TheoryTable() {}

    /** One row every {@code every} steps, plus the last step. */
    public static String trajectory(Trajectory t, int every) {
        boolean withS = t.params().sPoints() + t.params().sUnseenPoints() > 0;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%5s %9s %11s %11s %8s %8s %8s %8s %8s%s%n",
                "step", "M_C(test)", "θC·-∇L·r", "θS·-∇L·r", "σc(C)", "σc(C+S)", "σc(test)", "loss(C)", "loss(C+S)",
                withS ? String.format(Locale.ROOT, " %8s", "loss(S)") : ""));
        List<StepMetrics> steps = t.steps();
        for (StepMetrics m : steps) {
            if (m.step() % every != 0 && m.step() != steps.size() - 1) {
                continue;
            }
            sb.append(String.format(Locale.ROOT, "%5d %9s %11s %11s %8s %8s %8s %8s %8s%s%n", m.step(),
                    f(m.mcTest(), "%.4f"), f(m.gradThetaC(), "%+.3e"), f(m.gradThetaS(), "%+.3e"),
                    f(m.attC(), "%.4f"), f(m.attCs(), "%.4f"), f(m.attTest(), "%.4f"),
                    f(m.lossC(), "%.4f"), f(m.lossCs(), "%.4f"),
                    withS ? " " + String.format(Locale.ROOT, "%8s", f(m.lossS(), "%.4f")) : ""));
        }
        return sb.toString();
    }

    public static String summary(Trajectory t) {
        StepMetrics peak = t.peak();
        if (peak == null) {
            return "no test items: M_C not measured";
        }
        StepMetrics sign = firstNegativeThetaC(t);
        return String.format(Locale.ROOT,
                "M_C(test): start %.4f, peak %.4f at step %d, final %.4f (drop %.4f)%n"
                        + "θ_C projection: %s%n"
                        + "simulated %d steps in %.1f ms",
                t.first().mcTest(), peak.mcTest(), peak.step(), t.last().mcTest(), t.drop(),
                sign == null ? "never negative" : "first negative at step " + sign.step(),
                t.params().steps(), t.nanos() / 1e6);
    }

    private static StepMetrics firstNegativeThetaC(Trajectory t) {
        for (StepMetrics m : t.steps()) {
            if (m.gradThetaC() < 0) {
                return m;
            }
        }
        return null;
    }

    public static String gridHeader() {
        return String.format(Locale.ROOT, "%7s %7s %6s %7s %4s %5s %9s %8s %8s %8s",
                "delta_c", "delta_m", "lr", "c_ratio", "C", "C+S", "peak_step", "peak_mc", "final_mc", "drop");
    }

    public static String gridRow(GridCell c) {
        return String.format(Locale.ROOT, "%7.3g %7.3g %6.3g %7.3g %4d %5d %9d %8.4f %8.4f %8.4f",
                c.deltaC(), c.deltaM(), c.lr(), c.cRatio(), c.cPoints(), c.csPoints(), c.peakStep(),
                c.peakMc(), c.finalMc(), c.drop());
    }

    private static String f(double v, String fmt) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, fmt, v);
    }
}
