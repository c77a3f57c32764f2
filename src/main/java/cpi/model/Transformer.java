package cpi.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A decoder-only transformer (gpt2, gpt_neox, llama, mistral) whose math runs in PyTorch through DJL.
 * Parameters are float32 tensors with HF-style names (see docs/models.md); linear weights are
 * [out, in] and Q, K, V are separate. All temporaries of a forward pass live in the manager of
 * {@code inputIds}, so callers free a step by closing that (sub-)manager.
 */
public final class Transformer implements AutoCloseable {
    private static final Pattern LAYER = Pattern.compile("\\.(?:layers|h)\\.(\\d+)\\.");
    /** Added to masked attention scores: finite so fully masked (padding) rows stay NaN-free. */
    private static final float MASKED = -1e9f;

    private final ModelConfig cfg;
    private final NDManager manager;
    private final LinkedHashMap<String, NDArray> params;
    private final ParamNames names;
    private final ParamNames.Layer[] layers;
    private final Map<String, LinearAdapter> adapters = new HashMap<>();
    /** Below this many elements the op-by-op tanh GELU is cheaper than a call of {@link FusedGelu}. */
    private static final long FUSED_GELU_MIN_ELEMENTS = 1 << 14;
    private volatile FusedGelu fusedGelu;
    private volatile boolean fusedGeluTried;
    /** Inference-only scalar constants (see {@link #constant}). */
    private final Map<String, NDArray> constants = new java.util.concurrent.ConcurrentHashMap<>();
    private double dropout;
    /** RoPE tables [maxPos, headDim]: cos, and sin with the rotate_half sign folded in; q's carry 1/sqrt(d). */
    private NDArray cosK;
    private NDArray sinK;
    private NDArray cosQ;
    private NDArray sinQ;
    private int ropeRows;

    /**
     * Wraps existing float32 parameters (names and shapes must match {@link #parameterShapes}). The
     * transformer owns {@code manager} (it should hold the parameters) and closes it in {@link #close()}.
     */
    public Transformer(ModelConfig cfg, LinkedHashMap<String, NDArray> params, NDManager manager) {
        this.cfg = cfg;
        this.manager = manager;
        this.params = params;
        this.names = new ParamNames(cfg.family());
        this.layers = new ParamNames.Layer[cfg.numLayers()];
        for (int i = 0; i < layers.length; i++) {
            layers[i] = names.layer(i);
        }
        Map<String, Shape> expected = parameterShapes(cfg);
        for (Map.Entry<String, Shape> e : expected.entrySet()) {
            NDArray a = params.get(e.getKey());
            if (a == null) {
                throw new IllegalArgumentException("missing parameter " + e.getKey());
            }
            if (!a.getShape().equals(e.getValue())) {
                throw new IllegalArgumentException("parameter " + e.getKey() + " has shape " + a.getShape()
                        + ", expected " + e.getValue());
            }
        }
        for (String n : params.keySet()) {
            if (!expected.containsKey(n)) {
                throw new IllegalArgumentException("unexpected parameter " + n);
            }
        }
        ensureRope(Math.min(cfg.maxPositions(), 4096));
    }

    /**
     * A freshly initialized model: linear and embedding weights N(0, 0.02), biases 0, norm scales 1. The
     * parameters live in a new sub-manager of {@code manager}, which {@link #close()} frees.
     */
    public static Transformer random(ModelConfig cfg, long seed, NDManager parent) {
        NDManager manager = parent.newSubManager();
        LinkedHashMap<String, NDArray> p = new LinkedHashMap<>();
        for (Map.Entry<String, Shape> e : parameterShapes(cfg).entrySet()) {
            String name = e.getKey();
            Shape shape = e.getValue();
            int n = Math.toIntExact(shape.size());
            float[] data = new float[n];
            ParamRole role = role(name);
            if (name.endsWith(".bias")) {
                // zeros
            } else if (role == ParamRole.NORM) {
                java.util.Arrays.fill(data, 1f);
            } else {
                // One stream per parameter (seeded by name) so adding a parameter never shifts the others.
                Random r = new Random(seed * 0x9E3779B97F4A7C15L ^ name.hashCode());
                for (int i = 0; i < n; i++) {
                    data[i] = (float) (r.nextGaussian() * 0.02);
                }
            }
            p.put(name, manager.create(data, shape));
        }
        return new Transformer(cfg, p, manager);
    }

    /** Every parameter's name and shape, in cpi's canonical order (embeddings, layers, final norm, head). */
    public static LinkedHashMap<String, Shape> parameterShapes(ModelConfig cfg) {
        ParamNames nm = new ParamNames(cfg.family());
        LinkedHashMap<String, Shape> s = new LinkedHashMap<>();
        long h = cfg.hiddenSize();
        long qDim = (long) cfg.numHeads() * cfg.headDim();
        long kvDim = (long) cfg.numKvHeads() * cfg.headDim();
        long inter = cfg.intermediateSize();
        boolean layerNorm = !cfg.family().isLlamaLike();
        s.put(nm.embed() + ".weight", new Shape(cfg.vocabSize(), h));
        if (cfg.family() == Family.GPT2) {
            s.put(nm.positions() + ".weight", new Shape(cfg.maxPositions(), h));
        }
        for (int i = 0; i < cfg.numLayers(); i++) {
            ParamNames.Layer l = nm.layer(i);
            norm(s, l.ln1(), h, layerNorm);
            linear(s, l.q(), qDim, h, cfg.attentionBias());
            linear(s, l.k(), kvDim, h, cfg.attentionBias());
            linear(s, l.v(), kvDim, h, cfg.attentionBias());
            linear(s, l.o(), h, qDim, cfg.attentionBias());
            norm(s, l.ln2(), h, layerNorm);
            if (l.gate() != null) {
                linear(s, l.gate(), inter, h, cfg.mlpBias());
            }
            linear(s, l.up(), inter, h, cfg.mlpBias());
            linear(s, l.down(), h, inter, cfg.mlpBias());
        }
        norm(s, nm.finalNorm(), h, layerNorm);
        if (!cfg.tieWordEmbeddings()) {
            s.put(nm.lmHead() + ".weight", new Shape(cfg.vocabSize(), h));
        }
        return s;
    }

    private static void norm(Map<String, Shape> s, String module, long h, boolean bias) {
        s.put(module + ".weight", new Shape(h));
        if (bias) {
            s.put(module + ".bias", new Shape(h));
        }
    }

    private static void linear(Map<String, Shape> s, String module, long out, long in, boolean bias) {
        s.put(module + ".weight", new Shape(out, in));
        if (bias) {
            s.put(module + ".bias", new Shape(out));
        }
    }

    public ModelConfig config() {
        return cfg;
    }

    public NDManager manager() {
        return manager;
    }

    /** The live parameter map (HF-style names, float32, linear weights [out, in]). */
    public LinkedHashMap<String, NDArray> parameters() {
        return params;
    }

    public long parameterCount() {
        long n = 0;
        for (NDArray a : params.values()) {
            n += a.size();
        }
        return n;
    }

    /** What a parameter does (by name); works for every family's names. */
    public static ParamRole role(String name) {
        if (name.contains("embed_out") || name.startsWith("lm_head")) {
            return ParamRole.LM_HEAD;
        }
        if (name.contains("embed_tokens") || name.contains("embed_in") || name.contains(".wte")
                || name.startsWith("wte")) {
            return ParamRole.EMBEDDING;
        }
        if (name.contains(".wpe") || name.startsWith("wpe")) {
            return ParamRole.POSITION;
        }
        if (name.contains("q_proj")) {
            return ParamRole.QUERY;
        }
        if (name.contains("k_proj")) {
            return ParamRole.KEY;
        }
        if (name.contains("v_proj")) {
            return ParamRole.VALUE;
        }
        if (name.contains("o_proj") || name.contains("attention.dense") || name.contains("attn.c_proj")) {
            return ParamRole.OUTPUT;
        }
        if (name.contains("gate_proj")) {
            return ParamRole.MLP_GATE;
        }
        if (name.contains("up_proj") || name.contains("dense_h_to_4h") || name.contains("mlp.c_fc")) {
            return ParamRole.MLP_UP;
        }
        if (name.contains("down_proj") || name.contains("dense_4h_to_h") || name.contains("mlp.c_proj")) {
            return ParamRole.MLP_DOWN;
        }
        if (name.contains("norm") || name.contains("ln_")) {
            return ParamRole.NORM;
        }
        throw new IllegalArgumentException("unknown parameter name " + name);
    }

    /** Block index of a parameter, or -1 for embeddings, the final norm and the head. */
    public static int layerOf(String name) {
        Matcher m = LAYER.matcher(name);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** Attaches a side path (LoRA) to a linear weight, e.g. "model.layers.0.self_attn.q_proj.weight". */
    public void setAdapter(String paramName, LinearAdapter adapter) {
        String key = paramName.endsWith(".weight") ? paramName : paramName + ".weight";
        if (!params.containsKey(key) || key.equals(names.embed() + ".weight")) {
            throw new IllegalArgumentException("no linear weight named " + paramName);
        }
        adapters.put(key, adapter);
    }

    public void clearAdapters() {
        adapters.clear();
    }

    public Map<String, LinearAdapter> adapters() {
        return Collections.unmodifiableMap(adapters);
    }

    /** Dropout probability on attention probabilities and residual branches; used only when training. */
    public void setDropout(double p) {
        if (p < 0 || p >= 1) {
            throw new IllegalArgumentException("dropout must be in [0, 1)");
        }
        this.dropout = p;
    }

    public double dropout() {
        return dropout;
    }

    public KvCache newCache(int batch, NDManager m) {
        return new KvCache(cfg.numLayers(), batch, m);
    }

    // ------------------------------------------------------------------------------------ forward

    /**
     * Logits [B, T, V] float32.
     *
     * @param inputIds      int64 [B, T]
     * @param attentionMask int64 [B, past + T], 1 = real token, 0 = padding; null = all real. Positions are
     *                      cumsum(mask) - 1, so left padding (generation) and right padding (training) work.
     * @param cache         past keys/values, appended to; null for none
     * @param training      enables dropout (autograd is the caller's GradientCollector)
     * @param probe         receives each layer's attention probabilities; null for none
     */
    public NDArray forward(NDArray inputIds, NDArray attentionMask, KvCache cache, boolean training,
                           AttentionProbe probe) {
        return forward(inputIds, attentionMask, cache, training, probe, false);
    }

    /** As {@link #forward(NDArray, NDArray, KvCache, boolean, AttentionProbe)}; lastOnly returns [B, 1, V]. */
    public NDArray forward(NDArray inputIds, NDArray attentionMask, KvCache cache, boolean training,
                           AttentionProbe probe, boolean lastOnly) {
        NDArray x = hidden(inputIds, attentionMask, cache, training, probe);
        long t = inputIds.getShape().get(1);
        if (lastOnly && t > 1) {
            x = x.get(new NDIndex().addAllDim().addSliceDim(t - 1, t));
        }
        return head(x, training);
    }

    /**
     * Logits [N, V] of the given positions only, {@code rows} int64 [N] indexing the flattened [B·T]
     * positions (row b·T + t). Training's loss needs the logits of the response positions alone: selecting
     * them before the LM head skips the head's matmul on prompt and padding rows and keeps the [B·T, V]
     * tensor (and the scatter back into it in backward) out of the step.
     */
    public NDArray forwardRows(NDArray inputIds, NDArray attentionMask, boolean training, AttentionProbe probe,
                               NDArray rows) {
        NDArray x = hidden(inputIds, attentionMask, null, training, probe);
        Shape s = x.getShape();
        return head(x.reshape(s.get(0) * s.get(1), s.get(2)).get(rows), training);
    }

    /** The final norm and the LM head (tied to the embedding or not). */
    private NDArray head(NDArray x, boolean training) {
        x = norm(x, names.finalNorm(), new Step(x.getManager(), 0, 0, 0, false,
                !training && !ai.djl.pytorch.jni.JniUtils.isGradMode()));
        NDArray head = cfg.tieWordEmbeddings() ? param(names.embed() + ".weight") : param(names.lmHead() + ".weight");
        return linear(x, head, null);
    }

    /** The last block's output [B, T, H] (before the final norm); advances the cache. */
    private NDArray hidden(NDArray inputIds, NDArray attentionMask, KvCache cache, boolean training,
                           AttentionProbe probe) {
        NDManager m = inputIds.getManager();
        Shape idShape = inputIds.getShape();
        if (idShape.dimension() != 2) {
            throw new IllegalArgumentException("inputIds must be [batch, time], got " + idShape);
        }
        long b = idShape.get(0);
        long t = idShape.get(1);
        int past = cache == null ? 0 : cache.length();
        long s = past + t;
        if (cache != null && cache.batch() != b) {
            throw new IllegalArgumentException("cache batch " + cache.batch() + " != input batch " + b);
        }
        if (attentionMask != null && !attentionMask.getShape().equals(new Shape(b, s))) {
            throw new IllegalArgumentException("attentionMask must be [" + b + ", " + s + "] (past + new), got "
                    + attentionMask.getShape());
        }
        if (s > cfg.maxPositions()) {
            throw new cpi.util.UserError("a sequence of " + s + " tokens exceeds this " + cfg.family().modelType()
                    + " model's " + cfg.maxPositions() + " positions (shorten the prompt or max new tokens)");
        }
        boolean drop = training && dropout > 0;
        // Inference (no dropout, no gradient recording): in-place ops are safe. A caller recording
        // gradients through an eval-mode forward (grad mode on) gets the out-of-place path.
        Step st = new Step(m, b, t, s, drop, !training && !ai.djl.pytorch.jni.JniUtils.isGradMode());
        // Single-token steps on a cache (decoding) use one fused Q/K/V projection per layer: at one token
        // per step the engine calls, not the math, are the cost. Adapters on Q/K/V need the separate path.
        if (cache != null && st.inference && t == 1 && !qkvAdapted()) {
            st.fused = cache.fused(cfg, params, names);
        }

        if (attentionMask != null && attentionMask.min().toType(DataType.INT64, false).getLong() == 1) {
            // No padding anywhere (e.g. batch-1 decoding, equal-length training rows): the mask changes
            // nothing, and dropping it saves the position and bias ops of this step (the causal bias is
            // then [1, 1, T, S] instead of [B, 1, T, S]) and, when decoding, one op per block.
            attentionMask = null;
        }
        NDArray positions;
        if (attentionMask == null) {
            // [T]: the position embeddings and RoPE rows it selects ([T, D]) broadcast over the batch.
            positions = m.arange(past, s, 1, DataType.INT64);
        } else {
            NDArray mask64 = attentionMask.toType(DataType.INT64, false);
            positions = mask64.cumSum(1).sub(1).get(new NDIndex().addAllDim().addSliceDim(past, s))
                    .maximum(0);
        }
        NDArray bias = attentionBias(m, attentionMask, b, t, past);

        NDArray x = embedding(inputIds, param(names.embed() + ".weight"));
        if (cfg.family() == Family.GPT2) {
            x = st.inference ? x.addi(embedding(positions, param(names.positions() + ".weight")))
                    : x.add(embedding(positions, param(names.positions() + ".weight")));
        }
        if (cfg.rotaryDim() > 0) {
            ensureRope((int) s);
            if (st.fused == null) { // the fused path folds 1/sqrt(d) into W_q and rotates q and k together
                st.cosQ = ropeTable(positions, cosQ);
                st.sinQ = ropeTable(positions, sinQ);
            }
            st.cosK = ropeTable(positions, cosK);
            st.sinK = ropeTable(positions, sinK);
        }
        x = st.dropout(x);

        for (int i = 0; i < layers.length; i++) {
            ParamNames.Layer l = layers[i];
            // Inference frees each block's temporaries as soon as the block is done (training keeps them
            // for backward): the block's input moves into a scratch manager, which then owns every result.
            NDManager blockManager = training ? null : m.newSubManager();
            if (blockManager != null) {
                x.attach(blockManager);
            }
            st.current = blockManager != null ? blockManager : m;
            if (cfg.family() == Family.GPT_NEOX && cfg.parallelResidual()) {
                NDArray a = attention(i, l, norm(x, l.ln1(), st), st, bias, cache, probe, training);
                NDArray f = mlp(l, norm(x, l.ln2(), st), st, training);
                x = st.inference ? x.addi(a).addi(f) : x.add(st.dropout(a)).add(st.dropout(f));
            } else {
                NDArray a = attention(i, l, norm(x, l.ln1(), st), st, bias, cache, probe, training);
                x = st.inference ? x.addi(a) : x.add(st.dropout(a));
                NDArray f = mlp(l, norm(x, l.ln2(), st), st, training);
                x = st.inference ? x.addi(f) : x.add(st.dropout(f));
            }
            if (blockManager != null) {
                x.attach(m);
                blockManager.close();
            }
        }
        st.current = m;
        if (cache != null) {
            cache.advance((int) t);
        }
        return x;
    }

    private NDArray attention(int layer, ParamNames.Layer l, NDArray h, Step st, NDArray bias, KvCache cache,
                              AttentionProbe probe, boolean training) {
        long b = st.b;
        long t = st.t;
        int nh = cfg.numHeads();
        int kv = cfg.numKvHeads();
        int d = cfg.headDim();
        int g = nh / kv;
        NDArray q;
        NDArray k;
        NDArray v;
        if (st.fused != null) {
            // t == 1: [b, 1, (nh + 2kv) d] is [b, nh + 2kv, 1, d] in memory; q arrives scaled by 1/sqrt(d).
            NDArray qkv = linear(h, st.fused.weight[layer], st.fused.bias[layer]).reshape(b, nh + 2L * kv, 1, d);
            if (cfg.rotaryDim() > 0) {
                NDList qkAndV = qkv.split(new long[] {nh + kv}, 1);
                NDList qk = rope(qkAndV.get(0), st.cosK, st.sinK).split(new long[] {nh}, 1);
                q = qk.get(0);
                k = qk.get(1);
                v = qkAndV.get(1);
            } else {
                NDList parts = qkv.split(new long[] {nh, nh + kv}, 1);
                q = parts.get(0);
                k = parts.get(1);
                v = parts.get(2);
            }
        } else {
            q = heads(proj(h, l.q(), training), b, t, nh, d);
            k = heads(proj(h, l.k(), training), b, t, kv, d);
            v = heads(proj(h, l.v(), training), b, t, kv, d);
            if (cfg.rotaryDim() > 0) {
                q = rope(q, st.cosQ, st.sinQ); // also scales by 1/sqrt(d)
                k = rope(k, st.cosK, st.sinK);
            } else {
                q = q.mul(st.scale());
            }
        }
        NDArray[] kvAll = null;
        if (cache != null) {
            kvAll = cache.append(layer, k, v, st.current);
            k = kvAll[0];
            v = kvAll[1];
        }
        long s = st.s;
        // GQA without copying K/V: the g query heads sharing a kv head are stacked along the time axis.
        NDArray scores = (g == 1 ? q : q.reshape(b, kv, g * t, d)).matMul(k.transpose(0, 1, 3, 2));
        if (bias != null && st.inference) {
            // In place: at prefill the scores are the biggest temporaries ([b, heads, t, s]).
            if (g == 1) {
                scores.addi(bias);
            } else {
                NDArray view = scores.reshape(b, kv, g, t, s);
                view.addi(st.bias5(bias));
                view.close();
            }
        } else if (bias != null) {
            scores = g == 1 ? scores.add(bias) : scores.reshape(b, kv, g, t, s).add(st.bias5(bias))
                    .reshape(b, kv, g * t, s);
        }
        NDArray probs = scores.softmax(-1);
        if (st.inference) {
            scores.close(); // its memory is reused by the next allocation instead of growing the heap
        }
        if (probe != null) {
            probe.onAttention(layer, g == 1 ? probs : probs.reshape(b, nh, t, s));
        }
        probs = st.dropout(probs);
        NDArray ctx = probs.matMul(v); // [b, kv, g*t, d] == [b, nh, t, d] in memory
        NDArray out = t == 1 ? ctx.reshape(b, 1, (long) nh * d)
                : ctx.reshape(b, nh, t, d).transpose(0, 2, 1, 3).reshape(b, t, (long) nh * d);
        if (cache != null) {
            cache.store(layer, kvAll[0], kvAll[1]);
        }
        return proj(out, l.o(), training);
    }

    /** [b, t, heads*d] -> [b, heads, t, d]; a plain reshape when t == 1 (decode). */
    private static NDArray heads(NDArray x, long b, long t, int heads, int d) {
        return t == 1 ? x.reshape(b, heads, 1, d) : x.reshape(b, t, heads, d).transpose(0, 2, 1, 3);
    }

    private NDArray mlp(ParamNames.Layer l, NDArray h, Step st, boolean training) {
        if (l.gate() != null) {
            NDArray gate = proj(h, l.gate(), training);
            NDArray up = proj(h, l.up(), training);
            NDArray act = activation(gate, st);
            return proj(st.inference ? act.muli(up) : act.mul(up), l.down(), training);
        }
        NDArray up = activation(proj(h, l.up(), training), st);
        return proj(up, l.down(), training);
    }

    private static final java.util.Set<String> TANH_GELU = java.util.Set.of("gelu_new", "gelu_pytorch_tanh", "gelu_fast");

    private NDArray activation(NDArray x, Step st) {
        if (TANH_GELU.contains(cfg.hiddenAct())) {
            FusedGelu fused = fusedGelu(x);
            if (fused != null) {
                return fused.apply(x);
            }
        }
        if (st.inference) {
            return activationInPlace(x);
        }
        switch (cfg.hiddenAct()) {
            case "silu", "swish" -> {
                return x.mul(Activation.sigmoid(x));
            }
            case "gelu" -> {
                return Activation.gelu(x);
            }
            case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> {
                // 0.5 x (1 + tanh(z)) == x sigmoid(2z), z = sqrt(2/pi) (x + 0.044715 x^3): 6 ops instead of 9
                double k2 = 2 * Math.sqrt(2.0 / Math.PI);
                // square() and the in-place scale/shift: autograd keeps x (not x^2) for them, so this is
                // legal under a GradientCollector and saves two [B, T, 4h] temporaries and a backward pass.
                NDArray inner = x.square().muli(st.scalar("gc", (float) (k2 * 0.044715))).addi(st.scalar("gk", (float) k2));
                return x.mul(Activation.sigmoid(x.mul(inner)));
            }
            case "relu" -> {
                return Activation.relu(x);
            }
            default -> throw new IllegalStateException("unsupported activation " + cfg.hiddenAct());
        }
    }

    /**
     * The same functions for inference, computed with in-place ops where possible: no autograd to keep
     * intermediates for, and each new tensor costs an engine call to create and another to free.
     */
    private NDArray activationInPlace(NDArray x) {
        switch (cfg.hiddenAct()) {
            case "silu", "swish" -> {
                return Activation.sigmoid(x).muli(x);
            }
            case "gelu" -> {
                return Activation.gelu(x);
            }
            case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> {
                double k2 = 2 * Math.sqrt(2.0 / Math.PI);
                NDArray z = x.square().muli(constant("gc", (float) (k2 * 0.044715))).addi(constant("gk", (float) k2))
                        .muli(x);
                return Activation.sigmoid(z).muli(x);
            }
            case "relu" -> {
                return Activation.relu(x);
            }
            default -> throw new IllegalStateException("unsupported activation " + cfg.hiddenAct());
        }
    }

    /**
     * The engine's fused tanh GELU for tensors big enough that its per-call cost (a TorchScript call, tens
     * of microseconds) is below the elementwise passes it saves; null for small ones (decoding) or if the
     * engine cannot load it. Loaded once per model.
     */
    private FusedGelu fusedGelu(NDArray x) {
        if (x.size() < FUSED_GELU_MIN_ELEMENTS) {
            return null;
        }
        if (!fusedGeluTried) {
            synchronized (this) {
                if (!fusedGeluTried) {
                    fusedGelu = FusedGelu.load(manager);
                    fusedGeluTried = true;
                }
            }
        }
        return fusedGelu;
    }

    /**
     * A scalar constant in the model's manager, created once. Inference only: gradient paths use per-forward
     * scalars in the step's manager (DJL's scalar ops can free temporaries that autograd still needs).
     */
    private NDArray constant(String key, float value) {
        return constants.computeIfAbsent(key, k -> manager.create(value)); // atomic: created once per key
    }

    private boolean qkvAdapted() {
        if (adapters.isEmpty()) {
            return false;
        }
        for (ParamNames.Layer l : layers) {
            if (adapters.containsKey(l.q() + ".weight") || adapters.containsKey(l.k() + ".weight")
                    || adapters.containsKey(l.v() + ".weight")) {
                return true;
            }
        }
        return false;
    }

    private NDArray norm(NDArray x, String module, Step st) {
        NDArray w = param(module + ".weight");
        if (cfg.family().isLlamaLike() && st.inference) {
            NDArray rms = x.square().mean(new int[] {-1}, true).addi(constant("eps", (float) cfg.normEps())).sqrt();
            return x.div(rms).muli(w);
        }
        if (cfg.family().isLlamaLike()) {
            NDArray var = x.mul(x).mean(new int[] {-1}, true);
            NDArray eps = st.scalar("eps", (float) cfg.normEps());
            return x.div(var.add(eps).sqrt()).mul(w);
        }
        NDArray bias = param(module + ".bias");
        return x.getNDArrayInternal().layerNorm(x, new Shape(cfg.hiddenSize()), w, bias, (float) cfg.normEps())
                .singletonOrThrow();
    }

    private NDArray proj(NDArray x, String module, boolean training) {
        String wName = module + ".weight";
        NDArray out = linear(x, param(wName), params.get(module + ".bias"));
        LinearAdapter a = adapters.isEmpty() ? null : adapters.get(wName);
        return a == null ? out : a.apply(x, out, training);
    }

    private static NDArray linear(NDArray x, NDArray w, NDArray bias) {
        return x.getNDArrayInternal().linear(x, w, bias).singletonOrThrow();
    }

    private static NDArray embedding(NDArray ids, NDArray table) {
        return ids.getNDArrayInternal().embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
    }

    private NDArray param(String name) {
        NDArray a = params.get(name);
        if (a == null) {
            throw new IllegalStateException("missing parameter " + name);
        }
        return a;
    }

    // ------------------------------------------------------------------------------------ RoPE

    /**
     * Makes the RoPE tables cover positions [0, needed). They start at min(maxPositions, 4096) rows and
     * double on demand, so long-context configs (e.g. 131072 positions) cost nothing until used.
     */
    private synchronized void ensureRope(int needed) {
        int rot = cfg.rotaryDim();
        if (rot == 0 || ropeRows >= needed) {
            return;
        }
        int rows = Math.min(cfg.maxPositions(), Math.max(needed, 2 * ropeRows));
        // Old tables stay alive (a concurrent forward may hold them); the model's manager frees them.
        buildRopeTables(rows);
        ropeRows = rows;
    }

    private void buildRopeTables(int maxPos) {
        int rot = cfg.rotaryDim();
        int d = cfg.headDim();
        int half = rot / 2;
        float[] invFreq = RopeFrequencies.inverse(cfg);
        float scale = (float) (1.0 / Math.sqrt(d));
        float[] cos = new float[maxPos * d];
        float[] sin = new float[maxPos * d];
        for (int p = 0; p < maxPos; p++) {
            int row = p * d;
            for (int i = 0; i < half; i++) {
                float angle = (float) p * invFreq[i];
                float c = (float) Math.cos(angle);
                float sn = (float) Math.sin(angle);
                cos[row + i] = c;
                cos[row + i + half] = c;
                // rotate_half(x) * sin == [x2, x1] * [-sin, sin]
                sin[row + i] = -sn;
                sin[row + i + half] = sn;
            }
            // Dims past the rotary part pass through: cos 1, sin 0.
            for (int i = rot; i < d; i++) {
                cos[row + i] = 1f;
            }
        }
        float[] cosQs = new float[cos.length];
        float[] sinQs = new float[sin.length];
        for (int i = 0; i < cos.length; i++) {
            cosQs[i] = cos[i] * scale;
            sinQs[i] = sin[i] * scale;
        }
        Shape shape = new Shape(maxPos, d);
        cosK = manager.create(cos, shape);
        sinK = manager.create(sin, shape);
        cosQ = manager.create(cosQs, shape);
        sinQ = manager.create(sinQs, shape);
    }

    /** Rows of a RoPE table at the given positions: [B, 1, T, D] for [B, T] positions, [T, D] for [T]. */
    private static NDArray ropeTable(NDArray positions, NDArray table) {
        NDArray rows = embedding(positions, table);
        if (positions.getShape().dimension() == 1) {
            return rows; // broadcasts over [B, heads, T, D]
        }
        Shape s = rows.getShape();
        return rows.reshape(s.get(0), 1, s.get(1), s.get(2));
    }

    /** x * cos + [x2, x1, rest] * sinSigned over [B, heads, T, D]: rotate_half RoPE on the first rot dims. */
    private NDArray rope(NDArray x, NDArray cos, NDArray sinSigned) {
        int half = cfg.rotaryDim() / 2;
        int rot = cfg.rotaryDim();
        NDList parts = rot == cfg.headDim() ? x.split(new long[] {half}, 3) : x.split(new long[] {half, rot}, 3);
        NDList swapped = rot == cfg.headDim() ? new NDList(parts.get(1), parts.get(0))
                : new NDList(parts.get(1), parts.get(0), parts.get(2));
        NDArray sw = NDArrays.concat(swapped, 3);
        return x.mul(cos).add(sw.mul(sinSigned));
    }

    // ------------------------------------------------------------------------------------ masks

    /**
     * Additive attention bias [B or 1, 1, T, S] (0 allowed, -1e9 masked), combining padding, causality and
     * the mistral sliding window; null when nothing is masked (one new token, no padding info).
     */
    private NDArray attentionBias(NDManager m, NDArray mask, long b, long t, int past) {
        long s = past + t;
        int window = cfg.slidingWindow();
        boolean windowBites = window > 0 && s > window;
        NDArray causal = null;
        if (t > 1 || windowBites) {
            float[] c = new float[Math.toIntExact(t * s)];
            for (int i = 0; i < t; i++) {
                long qpos = past + i;
                for (int j = 0; j < s; j++) {
                    boolean ok = j <= qpos && (window <= 0 || qpos - j < window);
                    c[(int) (i * s + j)] = ok ? 1f : 0f;
                }
            }
            causal = m.create(c, new Shape(1, 1, t, s));
        }
        if (mask == null && causal == null) {
            return null;
        }
        NDArray allowed;
        if (mask == null) {
            allowed = causal;
        } else {
            allowed = mask.toType(DataType.FLOAT32, false).reshape(b, 1, 1, s);
            if (causal != null) {
                allowed = allowed.mul(causal);
            }
        }
        return allowed.sub(m.create(1f)).mul(m.create(-MASKED));
    }

    @Override
    public void close() {
        if (fusedGelu != null) {
            fusedGelu.close();
        }
        manager.close();
    }

    /** Per-forward state: sizes, RoPE rows, cached scalars. */
    private final class Step {
        final NDManager m;
        final long b;
        final long t;
        final long s;
        final boolean drop;
        /** No autograd: in-place ops and cached constants are safe. */
        final boolean inference;
        /** Fused Q/K/V projection for this single-token step, or null (see {@link FusedQkv}). */
        FusedQkv fused;
        /** The manager that owns the current block's temporaries. */
        NDManager current;
        NDArray cosQ;
        NDArray sinQ;
        NDArray cosK;
        NDArray sinK;
        private final Map<String, NDArray> scalars = new HashMap<>();

        Step(NDManager m, long b, long t, long s, boolean drop, boolean inference) {
            this.m = m;
            this.inference = inference;
            this.b = b;
            this.t = t;
            this.s = s;
            this.drop = drop;
            this.current = m;
        }

        NDArray scalar(String key, float value) {
            return scalars.computeIfAbsent(key, k -> m.create(value));
        }

        private NDArray bias5;

        /** The [B, 1, T, S] bias as [B, 1, 1, T, S] for grouped-query scores (made once per forward). */
        NDArray bias5(NDArray bias4) {
            if (bias5 == null) {
                Shape sh = bias4.getShape();
                bias5 = bias4.reshape(sh.get(0), 1, 1, sh.get(2), sh.get(3));
            }
            return bias5;
        }

        NDArray scale() {
            return scalar("scale", (float) (1.0 / Math.sqrt(cfg.headDim())));
        }

        NDArray dropout(NDArray x) {
            if (!drop) {
                return x;
            }
            return x.getNDArrayInternal().dropout(x, (float) dropout, true).singletonOrThrow();
        }
    }
}
