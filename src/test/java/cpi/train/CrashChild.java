package cpi.train;

import ai.djl.ndarray.NDManager;
import cpi.util.Djl;
import java.nio.file.Path;

/**
 * Child-process entry point of {@link CrashSafetyTest}: runs (or resumes) a tiny finetune, printing
 * "ready" once the engine is up and "step N" after every step, so the parent can kill -9 it mid-run.
 */
public final class CrashChild {
    private CrashChild() {}

    static FinetuneConfig config(Path data, Path out) {
        return FinetuneConfig.defaults(null, data.toString(), out).withTemplate("plain").withTrain(TrainMode.FULL)
                .withLr(3e-3).withSteps(CrashSafetyTest.STEPS, 1, 3).withBatch(4, 256, 64).withHeldout(0.1, 8, 0)
                .withRegularization(0.01, 1.0, 0.1).withReport(false).withSeed(11).withRetention(2, "none")
                .withResume(true);
    }

    public static void main(String[] args) {
        Path data = Path.of(args[0]);
        Path out = Path.of(args[1]);
        Djl.engine();
        try (NDManager m = NDManager.newBaseManager()) {
            System.out.println("ready");
            System.out.flush();
            Finetune.run(config(data, out), TinyModels.load(TinyModels.llama(), 11, m), new Finetune.Listener() {
                @Override
                public void onStep(StepResult r, double epoch) {
                    System.out.println("step " + r.step());
                    System.out.flush();
                }
            });
        }
        System.out.println("done");
        System.exit(0);
    }
}
