package cpi.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import cpi.util.TorchScript;

/**
 * The tanh-approximated GELU (HF "gelu_new" / "gelu_pytorch_tanh") as PyTorch's own fused kernel,
 * {@code torch.gelu(x, approximate="tanh")}, forward and backward. DJL exposes only the erf GELU, and
 * composing the tanh form from elementwise ops costs six passes over [B, T, 4h] forward and about twelve
 * in backward (most of a small model's training step besides the matmuls).
 *
 * <p>The function is reached through a one-line TorchScript module ({@link TorchScript}). Autograd records
 * through it. If the engine refuses the module, {@link #load} returns null and the caller keeps its op-by-op
 * formula.
 */
final class FusedGelu implements AutoCloseable {
    private final PtSymbolBlock module;

    private FusedGelu(PtSymbolBlock module) {
        this.module = module;
    }

    /** Compiles the module in the given manager, or returns null if this engine cannot. */
    static FusedGelu load(NDManager manager) {
        PtSymbolBlock module = TorchScript.compile(manager, "GeluTanh", "x: Tensor", "Tensor",
                "return torch.gelu(x, approximate=\"tanh\")");
        return module == null ? null : new FusedGelu(module);
    }

    /** gelu_tanh(x), in x's manager; recorded by autograd when a gradient collector is active. */
    NDArray apply(NDArray x) {
        // training=true only means "run as called": no no-grad/inference guard inside, so the result is an
        // ordinary tensor and records a graph exactly when grad mode is on.
        return IValueUtils.forward(module, new NDList(x), true).singletonOrThrow();
    }

    @Override
    public void close() {
        module.close();
    }
}
