package cpi.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Autograd flows through every parameter of every family (training mode, dropout, padding mask). */
class GradientTest {

    static java.util.stream.Stream<ModelConfig> configs() {
        return TransformerTest.configs();
    }

    @ParameterizedTest
    @MethodSource("configs")
    void everyParameterGetsAGradient(ModelConfig cfg, @org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) {
        try (NDManager m = ModelTestSupport.manager(); Transformer t = Transformer.random(cfg, 2, m.newSubManager())) {
            t.setDropout(0.1);
            for (NDArray p : t.parameters().values()) {
                p.setRequiresGradient(true);
            }
            for (int rep = 0; rep < 2; rep++) { // twice: no freed-temporary problems across steps
                try (NDManager s = m.newSubManager();
                     GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray ids = s.create(new long[] {1, 2, 3, 4, 5, 6, 7, 0}, new Shape(2, 4));
                    NDArray mask = s.create(new long[] {1, 1, 1, 1, 1, 1, 1, 0}, new Shape(2, 4));
                    NDArray logits = t.forward(ids, mask, null, true, null);
                    NDArray loss = logits.logSoftmax(2).get(":, :, 3").mean().neg();
                    gc.backward(loss);
                    for (Map.Entry<String, NDArray> e : t.parameters().entrySet()) {
                        NDArray g = e.getValue().getGradient();
                        float norm = g.abs().sum().getFloat();
                        assertTrue(Float.isFinite(norm) && norm > 0, cfg.family() + ": no gradient for " + e.getKey());
                    }
                }
            }
            // parameters that carry gradients still save and load back bit-identically
            Checkpoints.save(t, null, tmp, ai.djl.ndarray.types.DataType.FLOAT32);
            try (LoadedModel back = ModelLoader.load(tmp, m)) {
                CheckpointRoundTripTest.assertSameParameters(t, back.transformer());
            }
            for (NDArray p : t.parameters().values()) {
                assertTrue(p.hasGradient(), "save must not drop gradients");
            }
        }
    }
}
