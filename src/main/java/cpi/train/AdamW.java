package cpi.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW (Loshchilov and Hutter): Adam moments with bias correction and weight decay decoupled from the
 * gradient (p ← p − lr·(m̂/(√v̂+ε) + wd·p)), updating parameter NDArrays in place. Moments live in the
 * optimizer's own manager and are saved/loaded as safetensors for exact resumption.
 */
public final class AdamW {
    private final NDManager manager;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final Map<String, NDArray> m = new LinkedHashMap<>();
    private final Map<String, NDArray> v = new LinkedHashMap<>();
    private long t;

    public AdamW(NDManager manager, double beta1, double beta2, double eps, double weightDecay) {
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
        double bc1 = 1 - Math.pow(beta1, t);
        double bc2 = 1 - Math.pow(beta2, t);
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            String name = e.getKey();
            NDArray p = e.getValue();
            NDArray g = grads.get(name);
            if (g == null) {
                continue;
            }
            try (NDManager s = scratch.newSubManager()) {
                NDArray mi = m.computeIfAbsent(name, k -> manager.zeros(p.getShape()));
                NDArray vi = v.computeIfAbsent(name, k -> manager.zeros(p.getShape()));
                // Results belong to the first operand's manager: pin every temporary to s so none leaks
                // into the long-lived optimizer or model managers.
                NDArray gs = tmp(g.mul(gradScale), s);
                mi.muli(beta1).addi(tmp(gs.mul(1 - beta1), s));
                vi.muli(beta2).addi(tmp(gs.square(), s).muli(1 - beta2));
                NDArray denom = tmp(vi.div(bc2), s).sqrt().addi(eps);
                NDArray upd = tmp(tmp(mi.div(bc1), s).div(denom), s);
                if (weightDecay > 0 && p.getShape().dimension() >= 2) {
                    upd.addi(tmp(p.mul(weightDecay), s));
                }
                p.subi(upd.muli(lr));
            }
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
