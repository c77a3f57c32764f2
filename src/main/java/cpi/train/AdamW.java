package cpi.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW (Loshchilov and Hutter): Adam moments with bias correction and weight decay decoupled from the
 * gradient (p ← p − lr·(m̂/(√v̂+ε) + wd·p)), updating parameter NDArrays in place. Moments live in the
 * optimizer's own manager and are saved/loaded as safetensors for exact resumption. The step runs as PyTorch's
 * fused kernel ({@link FusedAdamW}) when the engine provides it, else composed from NDArray ops (same
 * arithmetic; float rounding differs in the last bits).
 */
public final class AdamW {
    private final NDManager manager;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final Map<String, NDArray> m = new LinkedHashMap<>();
    private final Map<String, NDArray> v = new LinkedHashMap<>();
    private final FusedAdamW fused;
    private long t;

    public AdamW(NDManager manager, double beta1, double beta2, double eps, double weightDecay) {
        this(manager, beta1, beta2, eps, weightDecay, true);
    }

    /** @param useFused false forces the composed step (tests compare the two) */
    AdamW(NDManager manager, double beta1, double beta2, double eps, double weightDecay, boolean useFused) {
        this.fused = useFused ? FusedAdamW.load(manager) : null;
        this.manager = manager;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    public long updates() {
        return t;
    }

    /**
     * One update of every parameter from its gradient times {@code gradScale} (clipping). Runs outside
     * any gradient collector; temporaries go to {@code scratch}.
     */
    public void update(Map<String, NDArray> params, Map<String, NDArray> grads, double lr, double gradScale,
                       NDManager scratch) {
        t++;
        if (fused != null) {
            updateFused(params, grads, lr, gradScale, scratch);
            return;
        }
        double bc1 = 1 - Math.pow(beta1, t);
        double bc2 = 1 - Math.pow(beta2, t);
        try (NDManager u = scratch.newSubManager()) {
            // The update's scalars, made once for all parameters (an op with a Number argument creates and
            // frees one engine scalar per call). Float32 like the ones the Number overloads make, so the
            // arithmetic is the same; a scale of exactly 1 (no clipping) is skipped (g * 1 == g).
            NDArray scale = gradScale == 1.0 ? null : u.create((float) gradScale);
            NDArray b1 = u.create((float) beta1);
            NDArray oneMinusB1 = u.create((float) (1 - beta1));
            NDArray b2 = u.create((float) beta2);
            NDArray oneMinusB2 = u.create((float) (1 - beta2));
            NDArray c1 = u.create((float) bc1);
            NDArray c2 = u.create((float) bc2);
            NDArray epsilon = u.create((float) eps);
            NDArray wd = u.create((float) weightDecay);
            NDArray rate = u.create((float) lr);
            for (Map.Entry<String, NDArray> e : params.entrySet()) {
                String name = e.getKey();
                NDArray p = e.getValue();
                NDArray g = grads.get(name);
                if (g == null) {
                    continue;
                }
                try (NDManager s = u.newSubManager()) {
                    NDArray mi = m.computeIfAbsent(name, k -> manager.zeros(p.getShape()));
                    NDArray vi = v.computeIfAbsent(name, k -> manager.zeros(p.getShape()));
                    // Results belong to the first operand's manager: pin every temporary to s so none leaks
                    // into the long-lived optimizer or model managers.
                    NDArray gs = scale == null ? g : tmp(g.mul(scale), s);
                    mi.muli(b1).addi(tmp(gs.mul(oneMinusB1), s));
                    vi.muli(b2).addi(tmp(gs.square(), s).muli(oneMinusB2));
                    NDArray denom = tmp(tmp(vi.div(c2), s).sqrt(), s).addi(epsilon);
                    NDArray upd = tmp(tmp(mi.div(c1), s).div(denom), s);
                    if (weightDecay > 0 && p.getShape().dimension() >= 2) {
                        upd.addi(tmp(p.mul(wd), s));
                    }
                    p.subi(upd.muli(rate));
                }
            }
        }
    }

    /** The fused kernel takes one weight decay per call: matrices decay, vectors (biases, norms) do not. */
    private void updateFused(Map<String, NDArray> params, Map<String, NDArray> grads, double lr, double gradScale,
                             NDManager scratch) {
        Group decay = new Group();
        Group flat = new Group();
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            NDArray p = e.getValue();
            NDArray g = grads.get(e.getKey());
            if (g == null) {
                continue;
            }
            NDArray mi = m.computeIfAbsent(e.getKey(), k -> manager.zeros(p.getShape()));
            NDArray vi = v.computeIfAbsent(e.getKey(), k -> manager.zeros(p.getShape()));
            (weightDecay > 0 && p.getShape().dimension() >= 2 ? decay : flat).add(p, g, mi, vi);
        }
        try (NDManager u = scratch.newSubManager()) {
            NDArray step = u.create((float) t);
            // the kernel divides gradients by this (it is AMP's loss scale); clipping multiplies them by gradScale
            NDArray divisor = u.create((float) (1.0 / gradScale));
            if (!decay.p().isEmpty()) {
                fused.update(decay.p(), decay.g(), decay.m(), decay.v(), step, lr, beta1, beta2, weightDecay, eps,
                        divisor, u);
            }
            if (!flat.p().isEmpty()) {
                fused.update(flat.p(), flat.g(), flat.m(), flat.v(), step, lr, beta1, beta2, 0.0, eps, divisor, u);
            }
        }
    }

    /** Parameters, gradients and moments of one fused call, aligned by index. */
    private record Group(List<NDArray> p, List<NDArray> g, List<NDArray> m, List<NDArray> v) {
        Group() {
            this(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        }

        void add(NDArray param, NDArray grad, NDArray first, NDArray second) {
            p.add(param);
            g.add(grad);
            m.add(first);
            v.add(second);
        }
    }

    private static NDArray tmp(NDArray a, NDManager s) {
        a.attach(s);
        return a;
    }

    public void save(Path file) throws IOException {
        LinkedHashMap<String, NDArray> all = new LinkedHashMap<>();
        m.forEach((k, a) -> all.put("m/" + k, a));
        v.forEach((k, a) -> all.put("v/" + k, a));
        TensorFile.write(file, all, Map.of("updates", Long.toString(t), "optimizer", "adamw"));
    }

    public void load(Path file, long updates) {
        clear();
        TensorFile.read(file, manager).forEach((k, a) -> {
            if (k.startsWith("m/")) {
                m.put(k.substring(2), a);
            } else if (k.startsWith("v/")) {
                v.put(k.substring(2), a);
            }
        });
        t = updates;
    }

    private void clear() {
        m.values().forEach(NDArray::close);
        v.values().forEach(NDArray::close);
        m.clear();
        v.clear();
    }
}
