package cpi.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

/**
 * Keys and values of past positions, per layer, shape [batch, kvHeads, length, headDim] (RoPE already
 * applied). Create with {@link Transformer#newCache(int, NDManager)}; it owns a sub-manager of the given
 * manager, so closing the cache frees its tensors. The attention mask passed to forward must then cover
 * past + new positions.
 */
public final class KvCache implements AutoCloseable {
    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private final int batch;
    private int length;
    /** Fused Q/K/V projection for single-token steps, built on first use (see {@link FusedQkv}). */
    private FusedQkv fused;

    KvCache(int layers, int batch, NDManager parent) {
        this.manager = parent.newSubManager();
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
        this.batch = batch;
    }

    /** Number of positions already stored. */
    public int length() {
        return length;
    }

    public int batch() {
        return batch;
    }

    /**
     * Appends this step's keys/values for a layer and returns the full [B, kv, past+T, D] tensors, owned
     * by the step's manager until the step ends (the cache keeps its own reference).
     */
    NDArray[] append(int layer, NDArray k, NDArray v, NDManager step) {
        NDArray kAll = cat(keys[layer], k, step);
        NDArray vAll = cat(values[layer], v, step);
        return new NDArray[] {kAll, vAll};
    }

    /** Stores the full tensors for a layer (called after the step used them); frees the previous ones. */
    void store(int layer, NDArray kAll, NDArray vAll) {
        NDArray oldK = keys[layer];
        NDArray oldV = values[layer];
        kAll.attach(manager);
        vAll.attach(manager);
        keys[layer] = kAll;
        values[layer] = vAll;
        if (oldK != null && oldK != kAll) {
            oldK.close();
        }
        if (oldV != null && oldV != vAll) {
            oldV.close();
        }
    }

    /**
     * A new cache (owned by a sub-manager of {@code parent}) whose row r is this cache's row rows[r], for
     * every layer: one prompt run once into the cache can then be continued several ways (prefix reuse).
     * This cache is left unchanged.
     */
    public KvCache select(long[] rows, NDManager parent) {
        KvCache out = new KvCache(keys.length, rows.length, parent);
        out.length = length;
        if (length == 0) {
            return out;
        }
        try (NDManager tmp = parent.newSubManager()) {
            NDArray idx = tmp.create(rows);
            for (int l = 0; l < keys.length; l++) {
                out.keys[l] = pick(keys[l], idx, out.manager);
                out.values[l] = pick(values[l], idx, out.manager);
            }
        }
        return out;
    }

    private static NDArray pick(NDArray a, NDArray idx, NDManager owner) {
        NDArray r = a.get(new ai.djl.ndarray.index.NDIndex("{}", idx));
        r.attach(owner);
        return r;
    }

    /** This cache's fused projection, built from the model's current weights on first call. */
    FusedQkv fused(ModelConfig cfg, java.util.Map<String, NDArray> params, ParamNames names) {
        if (fused == null) {
            fused = FusedQkv.build(cfg, params, names, manager);
        }
        return fused;
    }

    void advance(int steps) {
        length += steps;
    }

    private static NDArray cat(NDArray old, NDArray fresh, NDManager step) {
        if (old == null) {
            return fresh;
        }
        NDArray all = NDArrays.concat(new NDList(old, fresh), 2);
        // concat puts its result in the first operand's (the cache's) manager; the step owns it until store().
        all.attach(step);
        return all;
    }

    @Override
    public void close() {
        manager.close();
    }
}
