package cpi.theory;

import java.util.ArrayList;
import java.util.List;

/**
 * Full-batch gradient descent on the mean cross-entropy over the training points (eq. 5), moving W_KQ
 * (W_V frozen) or both W_KQ and W_V, logging {@link StepMetrics} at every step 0..steps.
 */
public final class TheorySimulator {
    private TheorySimulator() {}

    public static Trajectory run(TheoryParams params) {
        long start = System.nanoTime();
        Construction c = Construction.build(params);
        OneLayerAttention model = c.initialModel();
        List<StepMetrics> out = new ArrayList<>(params.steps() + 1);
        for (int t = 0; t <= params.steps(); t++) {
            Gradient g = model.negativeGradient(c.data().train(), params.train().trainsValue());
            out.add(measure(t, model, g, c));
            if (t < params.steps()) {
                model.step(g, params.lr(), params.train());
            }
        }
        return new Trajectory(params, List.copyOf(out), System.nanoTime() - start);
    }

    /** The step-t metrics from the step-t gradient (whose forward passes cover the training points). */
    static StepMetrics measure(int step, OneLayerAttention model, Gradient g, Construction c) {
        Embeddings emb = c.embeddings();
        Mean attC = new Mean();
        Mean attCs = new Mean();
        Mean lossC = new Mean();
        Mean lossCs = new Mean();
        Mean lossS = new Mean();
        for (Forward f : g.forwards()) {
            switch (f.example().kind()) {
                case CONTEXT_CRITICAL -> {
                    attC.add(f.contextAttention());
                    lossC.add(f.loss());
                }
                case NON_CONTEXT_CRITICAL -> {
                    attCs.add(f.contextAttention());
                    lossCs.add(f.loss());
                }
                case SUBJECT_SEEN, SUBJECT_UNSEEN -> lossS.add(f.loss());
                default -> throw new IllegalStateException("test item in the training set");
            }
        }
        Mean mc = new Mean();
        Mean attTest = new Mean();
        for (Example e : c.data().test()) {
            Forward f = model.forward(e);
            mc.add(f.contextMass());
            attTest.add(f.contextAttention());
        }
        double[] r = emb.eR();
        return new StepMetrics(step, mc.value(), g.projectKQ(emb.thetaC(), r), g.projectKQ(emb.thetaS(), r),
                attC.value(), attCs.value(), attTest.value(), lossC.value(), lossCs.value(), lossS.value());
    }

    private static final class Mean {
        private double sum;
        private int n;

        void add(double x) {
            sum += x;
            n++;
        }

        double value() {
            return n == 0 ? Double.NaN : sum / n;
        }
    }
}
