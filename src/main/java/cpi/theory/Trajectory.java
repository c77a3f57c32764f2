package cpi.theory;

import java.util.List;

/**
 * One simulated run: the metrics at every step 0..steps.
 *
 * @param params     what was simulated
 * @param steps      metrics per step, index = step
 * @param nanos      wall time of the simulation (construction + training), for the runtime report
 */
public record Trajectory(TheoryParams params, List<StepMetrics> steps, long nanos) {

    /** The step with the highest test M_C (the earliest one if tied); null without test items. */
    public StepMetrics peak() {
        StepMetrics best = null;
        for (StepMetrics m : steps) {
            if (!Double.isNaN(m.mcTest()) && (best == null || m.mcTest() > best.mcTest())) {
                best = m;
            }
        }
        return best;
    }

    public StepMetrics first() {
        return steps.get(0);
    }

    public StepMetrics last() {
        return steps.get(steps.size() - 1);
    }

    /** Peak minus final test M_C: the size of the inversion (0 when M_C never falls). */
    public double drop() {
        StepMetrics p = peak();
        return p == null ? Double.NaN : p.mcTest() - last().mcTest();
    }
}
