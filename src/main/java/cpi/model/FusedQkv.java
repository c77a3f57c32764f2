package cpi.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

/**
 * Per-layer fused attention input projection for single-token decode steps: weight [(nh + 2 kv) * d, h] =
 * [W_q / sqrt(d); W_k; W_v] (bias likewise, or null). One linear per layer instead of three plus a
 * scaling op, which matters when each op costs more than its math (tiny models, one token per step).
 *
 * <p>It is a copy, so it is built per {@link KvCache} (on the cache's first single-token step) and freed
 * with it: a cache already snapshots the weights its keys and values were computed with, and the model's
 * Q, K, V stay separate parameters for training, LoRA and QK-only updates.
 */
final class FusedQkv {
    final NDArray[] weight;
    final NDArray[] bias;

    private FusedQkv(int layers) {
        this.weight = new NDArray[layers];
        this.bias = new NDArray[layers];
    }

    static FusedQkv build(ModelConfig cfg, java.util.Map<String, NDArray> params, ParamNames names,
                          NDManager owner) {
        FusedQkv f = new FusedQkv(cfg.numLayers());
        float scale = (float) (1.0 / Math.sqrt(cfg.headDim()));
        try (NDManager tmp = owner.newSubManager()) {
            NDArray s = tmp.create(scale);
            for (int i = 0; i < cfg.numLayers(); i++) {
                ParamNames.Layer l = names.layer(i);
                f.weight[i] = fuse(params.get(l.q() + ".weight"), params.get(l.k() + ".weight"),
                        params.get(l.v() + ".weight"), s, tmp, owner);
                NDArray bq = params.get(l.q() + ".bias");
                if (bq != null) {
                    f.bias[i] = fuse(bq, params.get(l.k() + ".bias"), params.get(l.v() + ".bias"), s, tmp, owner);
                }
            }
        }
        return f;
    }

    private static NDArray fuse(NDArray q, NDArray k, NDArray v, NDArray scale, NDManager tmp, NDManager owner) {
        NDArray qs = q.mul(scale);
        qs.attach(tmp);
        NDArray out = NDArrays.concat(new NDList(qs, k, v), 0);
        out.attach(owner);
        return out;
    }
}
