package cpi.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import cpi.util.UserError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Converts between HF file layouts and cpi's parameters: gpt2 Conv1D weights are [in, out] and its
 * c_attn fuses [q | k | v] along the output axis; gpt_neox's query_key_value groups rows per head as
 * [head, (q, k, v), headDim]. Everything else keeps its name and layout. One file tensor at a time is
 * materialized, so peak memory is the model plus one tensor.
 */
final class HfLayout {
    private HfLayout() {}

    // ------------------------------------------------------------------------------------ load

    static LinkedHashMap<String, NDArray> load(ModelConfig cfg, WeightFiles files, NDManager m) {
        LinkedHashMap<String, Shape> expected = Transformer.parameterShapes(cfg);
        LinkedHashMap<String, NDArray> out = new LinkedHashMap<>();
        try {
            switch (cfg.family()) {
                case LLAMA, MISTRAL -> {
                    for (String name : expected.keySet()) {
                        out.put(name, files.read(name, m));
                    }
                }
                case GPT_NEOX -> loadNeox(cfg, files, m, expected, out);
                case GPT2 -> loadGpt2(cfg, files, m, expected, out);
            }
            for (Map.Entry<String, Shape> e : expected.entrySet()) {
                NDArray a = out.get(e.getKey());
                if (!a.getShape().equals(e.getValue())) {
                    throw new UserError(files.describe() + ": tensor for " + e.getKey() + " has shape " + a.getShape()
                            + " but config.json implies " + e.getValue() + " (weights and config.json disagree)");
                }
            }
            LinkedHashMap<String, NDArray> ordered = new LinkedHashMap<>();
            for (String name : expected.keySet()) {
                ordered.put(name, out.get(name));
            }
            return ordered;
        } catch (RuntimeException e) {
            out.values().forEach(NDArray::close);
            throw e;
        }
    }

    private static void loadNeox(ModelConfig cfg, WeightFiles files, NDManager m, Map<String, Shape> expected,
                                 Map<String, NDArray> out) {
        ParamNames nm = new ParamNames(cfg.family());
        int nh = cfg.numHeads();
        int d = cfg.headDim();
        int h = cfg.hiddenSize();
        for (String name : expected.keySet()) {
            if (out.containsKey(name)) {
                continue;
            }
            int layer = Transformer.layerOf(name);
            ParamRole role = Transformer.role(name);
            if (layer >= 0 && (role == ParamRole.QUERY || role == ParamRole.KEY || role == ParamRole.VALUE)) {
                ParamNames.Layer l = nm.layer(layer);
                String fused = nm.layerPrefix(layer) + "attention.query_key_value";
                for (String suffix : new String[] {".weight", ".bias"}) {
                    if (!expected.containsKey(l.q() + suffix)) {
                        continue;
                    }
                    try (NDManager tmp = m.newSubManager()) {
                        NDArray f = files.read(fused + suffix, tmp);
                        long expect = (long) 3 * nh * d * (suffix.equals(".weight") ? h : 1);
                        if (f.size() != expect) {
                            throw new UserError(files.describe() + ": " + fused + suffix + " has shape "
                                    + f.getShape() + ", expected " + 3 * nh * d + " rows (config.json disagrees)");
                        }
                        // rows grouped per head: [head, (q|k|v), headDim, in]
                        NDArray g = suffix.equals(".weight") ? f.reshape(nh, 3, d, h) : f.reshape(nh, 3, d);
                        String[] targets = {l.q(), l.k(), l.v()};
                        for (int j = 0; j < 3; j++) {
                            NDArray part = g.get(":, " + j).duplicate();
                            NDArray r = suffix.equals(".weight") ? part.reshape(nh * d, h) : part.reshape(nh * d);
                            NDArray owned = r.duplicate();
                            owned.attach(m);
                            out.put(targets[j] + suffix, owned);
                        }
                    }
                }
            } else {
                out.put(name, files.read(name, m));
            }
        }
    }

    /** gpt2 names in files may or may not carry the "transformer." prefix. */
    private static String gpt2FileName(WeightFiles files, String name) {
        if (files.has(name)) {
            return name;
        }
        String bare = name.startsWith("transformer.") ? name.substring("transformer.".length()) : name;
        return files.has(bare) ? bare : name;
    }

    private static void loadGpt2(ModelConfig cfg, WeightFiles files, NDManager m, Map<String, Shape> expected,
                                 Map<String, NDArray> out) {
        ParamNames nm = new ParamNames(cfg.family());
        int h = cfg.hiddenSize();
        for (String name : expected.keySet()) {
            if (out.containsKey(name)) {
                continue;
            }
            int layer = Transformer.layerOf(name);
            ParamRole role = Transformer.role(name);
            boolean weight = name.endsWith(".weight");
            if (layer >= 0 && (role == ParamRole.QUERY || role == ParamRole.KEY || role == ParamRole.VALUE)) {
                ParamNames.Layer l = nm.layer(layer);
                String suffix = weight ? ".weight" : ".bias";
                String fused = gpt2FileName(files, nm.layerPrefix(layer) + "attn.c_attn" + suffix);
                try (NDManager tmp = m.newSubManager()) {
                    NDArray f = files.read(fused, tmp);
                    if (f.getShape().get(f.getShape().dimension() - 1) != 3L * h) {
                        throw new UserError(files.describe() + ": " + fused + " has shape " + f.getShape()
                                + ", expected last dim " + 3 * h + " (config.json disagrees)");
                    }
                    // Conv1D [in, 3h] -> [3h, in], then rows [q | k | v]
                    NDArray rows = weight ? f.transpose() : f;
                    NDList parts = rows.split(3, 0);
                    String[] targets = {l.q(), l.k(), l.v()};
                    for (int j = 0; j < 3; j++) {
                        NDArray owned = parts.get(j).duplicate();
                        owned.attach(m);
                        out.put(targets[j] + suffix, owned);
                    }
                }
            } else if (weight && (role == ParamRole.OUTPUT || role == ParamRole.MLP_UP
                    || role == ParamRole.MLP_DOWN)) {
                try (NDManager tmp = m.newSubManager()) {
                    NDArray f = files.read(gpt2FileName(files, name), tmp);
                    NDArray owned = f.transpose().duplicate(); // Conv1D [in, out] -> [out, in]
                    owned.attach(m);
                    out.put(name, owned);
                }
            } else {
                out.put(name, files.read(gpt2FileName(files, name), m));
            }
        }
    }

    // ------------------------------------------------------------------------------------ save

    /** The file tensors for a model in HF layout, cast to {@code dtype}; each is computed when written. */
    static List<Safetensors.Pending> save(Transformer t, DataType dtype) {
        ModelConfig cfg = t.config();
        Map<String, NDArray> p = t.parameters();
        String dt = Safetensors.dtypeName(dtype);
        List<Safetensors.Pending> out = new ArrayList<>();
        ParamNames nm = new ParamNames(cfg.family());
        for (String name : p.keySet()) {
            int layer = Transformer.layerOf(name);
            ParamRole role = Transformer.role(name);
            boolean weight = name.endsWith(".weight");
            String suffix = weight ? ".weight" : ".bias";
            boolean qkv = role == ParamRole.QUERY || role == ParamRole.KEY || role == ParamRole.VALUE;
            if (cfg.family() == Family.GPT2 && qkv) {
                if (role != ParamRole.QUERY) {
                    continue; // written with q as the fused c_attn
                }
                ParamNames.Layer l = nm.layer(layer);
                NDArray q = p.get(l.q() + suffix);
                NDArray k = p.get(l.k() + suffix);
                NDArray v = p.get(l.v() + suffix);
                long[] shape = weight ? new long[] {cfg.hiddenSize(), 3L * cfg.hiddenSize()}
                        : new long[] {3L * cfg.hiddenSize()};
                out.add(new Safetensors.Pending(nm.layerPrefix(layer) + "attn.c_attn" + suffix, dt, shape,
                        () -> bytes(dtype, () -> {
                            NDArray cat = NDArrays.concat(new NDList(q, k, v), 0);
                            return weight ? cat.transpose() : cat;
                        }, q, k, v)));
            } else if (cfg.family() == Family.GPT2 && weight
                    && (role == ParamRole.OUTPUT || role == ParamRole.MLP_UP || role == ParamRole.MLP_DOWN)) {
                NDArray w = p.get(name);
                long[] s = w.getShape().getShape();
                out.add(new Safetensors.Pending(name, dt, new long[] {s[1], s[0]},
                        () -> bytes(dtype, w::transpose, w)));
            } else if (cfg.family() == Family.GPT_NEOX && qkv) {
                if (role != ParamRole.QUERY) {
                    continue;
                }
                ParamNames.Layer l = nm.layer(layer);
                NDArray q = p.get(l.q() + suffix);
                NDArray k = p.get(l.k() + suffix);
                NDArray v = p.get(l.v() + suffix);
                int nh = cfg.numHeads();
                int d = cfg.headDim();
                int h = cfg.hiddenSize();
                long[] shape = weight ? new long[] {3L * nh * d, h} : new long[] {3L * nh * d};
                out.add(new Safetensors.Pending(nm.layerPrefix(layer) + "attention.query_key_value" + suffix, dt,
                        shape, () -> bytes(dtype, () -> {
                            Shape per = weight ? new Shape(nh, 1, d, h) : new Shape(nh, 1, d);
                            NDArray st = NDArrays.concat(new NDList(q.reshape(per), k.reshape(per), v.reshape(per)),
                                    1);
                            return st.reshape(new Shape(shape));
                        }, q, k, v)));
            } else {
                NDArray a = p.get(name);
                out.add(new Safetensors.Pending(name, dt, a.getShape().getShape(), () -> bytes(dtype, () -> a, a)));
            }
        }
        return out;
    }

    private interface Build {
        NDArray apply();
    }

    /**
     * Builds a file tensor from parameters, casts it and returns its little-endian bytes. The inputs are
     * temporarily attached to a scratch manager, so every intermediate is freed right after (the
     * parameters themselves go back to the model's manager).
     */
    private static byte[] bytes(DataType dtype, Build build, NDArray... inputs) {
        try (NDManager tmp = inputs[0].getManager().newSubManager()) {
            for (NDArray in : inputs) {
                in.tempAttach(tmp);
            }
            NDArray a = build.apply();
            if (dtype == DataType.BFLOAT16) {
                return Bf16.fromFloat(a.toType(DataType.FLOAT32, false).toFloatArray());
            }
            return a.toType(dtype, false).toByteArray();
        }
    }
}
