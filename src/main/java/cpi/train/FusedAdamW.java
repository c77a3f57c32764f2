package cpi.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDList;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import cpi.util.TorchScript;
import java.util.List;

/**
 * PyTorch's fused AdamW kernel ({@code torch._fused_adamw_}): one vectorised, multi-threaded pass over each
 * parameter that reads p, g, m, v and writes p, m, v. The same step composed from NDArray ops makes about
 * fifteen passes and several parameter-sized temporaries, which on a 70M-parameter model costs as much as a
 * third of a training step. The arithmetic is torch.optim.AdamW's: p ← p·(1 − lr·wd), m ← β1·m + (1−β1)·g,
 * v ← β2·v + (1−β2)·g², p ← p − lr/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + ε), with g = grad / gradDivisor. The compiled
 * module belongs to the manager it was loaded in (the optimizer's) and is freed with it.
 */
final class FusedAdamW implements AutoCloseable {
    // Lists arrive as DJL's named-list inputs ("p[]" arrays form one List[Tensor]); the floats as 0-d tensors.
    private static final String ARGUMENTS = """
            params: List[Tensor], grads: List[Tensor], exp_avgs: List[Tensor], exp_avg_sqs: List[Tensor],
                steps: List[Tensor], hyper: Tensor, grad_scale: Tensor""";
    private static final String BODY = """
            torch._fused_adamw_(params, grads, exp_avgs, exp_avg_sqs, annotate(List[Tensor], []), steps, lr=float(hyper[0]), beta1=float(hyper[1]), beta2=float(hyper[2]), weight_decay=float(hyper[3]), eps=float(hyper[4]), amsgrad=False, maximize=False, grad_scale=grad_scale, found_inf=None)
            return grad_scale
            """;

    private final PtSymbolBlock module;

    private FusedAdamW(PtSymbolBlock module) {
        this.module = module;
    }

    /** Compiles the kernel's module, or returns null if this engine cannot (the caller composes the step). */
    static FusedAdamW load(NDManager manager) {
        PtSymbolBlock module = TorchScript.compile(manager, "FusedAdamW", ARGUMENTS, "Tensor", BODY);
        return module == null ? null : new FusedAdamW(module);
    }

    /**
     * Updates params, m and v in place (lists aligned by index). {@code step} is a float32 scalar holding the
     * 1-based update count (bias correction); {@code gradDivisor} a float32 scalar the gradients are divided by.
     * Runs in {@code scratch}, outside any gradient collector.
     */
    void update(List<NDArray> params, List<NDArray> grads, List<NDArray> m, List<NDArray> v, NDArray step,
                double lr, double beta1, double beta2, double weightDecay, double eps, NDArray gradDivisor,
                NDManager scratch) {
        NDList in = new NDList();
        addList(in, params, "p[]", scratch);
        addList(in, grads, "g[]", scratch);
        addList(in, m, "m[]", scratch);
        addList(in, v, "v[]", scratch);
        addList(in, java.util.Collections.nCopies(params.size(), step), "s[]", scratch);
        in.add(named(scratch.create(new double[] {lr, beta1, beta2, weightDecay, eps}), "hyper", scratch));
        in.add(named(gradDivisor.reshape(gradDivisor.getShape()), "grad_scale", scratch));
        // training=true: no inference guard (DJL's guard for training=false is deprecated and warns); this runs
        // outside the gradient collector, so autograd records nothing.
        IValueUtils.forward(module, in, true).attach(scratch);
    }

    /**
     * Adds arrays as one list argument: DJL groups inputs named "x[]" into a List[Tensor]. The names go on views
     * (which share storage, so the kernel's in-place writes land in the arrays), not on the model's own arrays.
     */
    private static void addList(NDList in, List<NDArray> arrays, String name, NDManager scratch) {
        for (NDArray a : arrays) {
            in.add(named(a.reshape(a.getShape()), name, scratch));
        }
    }

    private static NDArray named(NDArray a, String name, NDManager scratch) {
        a.attach(scratch);
        a.setName(name);
        return a;
    }

    @Override
    public void close() {
        module.close();
    }
}
