package cpi.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.Dropout;
import cpi.model.AttentionProbe;
import cpi.model.LinearAdapter;
import cpi.model.ParamRole;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** A one-layer, one-head attention LM with named parameters and roles, for trainer tests. */
final class ToyLm implements TrainableModel {
    private final NDManager manager;
    private final LinkedHashMap<String, NDArray> params = new LinkedHashMap<>();
    private final Map<String, LinearAdapter> adapters = new HashMap<>();
    private final int vocab;
    private final int hidden;
    private double dropout;

    ToyLm(int vocab, int hidden, long seed, NDManager manager) {
        this.manager = manager;
        this.vocab = vocab;
        this.hidden = hidden;
        Random r = new Random(seed);
        put("embed.weight", r, vocab, hidden);
        put("attn.q.weight", r, hidden, hidden);
        put("attn.k.weight", r, hidden, hidden);
        put("attn.v.weight", r, hidden, hidden);
        put("attn.o.weight", r, hidden, hidden);
        put("attn.q.bias", r, hidden);
        params.put("norm.weight", manager.ones(new Shape(hidden)));
        put("lm_head.weight", r, vocab, hidden);
    }

    private void put(String name, Random r, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextGaussian() * 0.3);
        }
        params.put(name, manager.create(v, new Shape(shape)));
    }

    @Override
    public LinkedHashMap<String, NDArray> parameters() {
        return params;
    }

    @Override
    public ParamRole role(String name) {
        if (name.startsWith("embed")) {
            return ParamRole.EMBEDDING;
        } else if (name.startsWith("attn.q")) {
            return ParamRole.QUERY;
        } else if (name.startsWith("attn.k")) {
            return ParamRole.KEY;
        } else if (name.startsWith("attn.v")) {
            return ParamRole.VALUE;
        } else if (name.startsWith("attn.o")) {
            return ParamRole.OUTPUT;
        } else if (name.startsWith("norm")) {
            return ParamRole.NORM;
        }
        return ParamRole.LM_HEAD;
    }

    private NDArray linear(String name, NDArray x, boolean training) {
        NDArray y = x.matMul(params.get(name).transpose());
        LinearAdapter a = adapters.get(name);
        return a == null ? y : a.apply(x, y, training);
    }

    @Override
    public NDArray forward(NDArray ids, NDArray mask, boolean training, AttentionProbe probe) {
        NDManager m = ids.getManager();
        long t = ids.getShape().get(1);
        NDArray x = ids.oneHot(vocab).toType(DataType.FLOAT32, false).matMul(params.get("embed.weight"));
        NDArray q = linear("attn.q.weight", x, training).add(params.get("attn.q.bias"));
        NDArray k = linear("attn.k.weight", x, training);
        NDArray v = linear("attn.v.weight", x, training);
        NDArray scores = q.matMul(k.transpose(0, 2, 1)).mul(m.create((float) (1 / Math.sqrt(hidden))));
        float[] causal = new float[(int) (t * t)];
        for (int i = 0; i < t; i++) {
            for (int j = i + 1; j < t; j++) {
                causal[(int) (i * t + j)] = -1e9f;
            }
        }
        NDArray keyMask = mask.toType(DataType.FLOAT32, false).sub(m.create(1f)).mul(m.create(1e9f)).expandDims(1);
        scores = scores.add(m.create(causal, new Shape(t, t))).add(keyMask);
        NDArray attn = scores.softmax(-1);
        if (probe != null) {
            probe.onAttention(0, attn.expandDims(1));
        }
        NDArray h = x.add(linear("attn.o.weight", attn.matMul(v), training));
        if (training && dropout > 0) {
            h = Dropout.dropout(h, (float) dropout, true).singletonOrThrow();
        }
        h = h.mul(params.get("norm.weight"));
        return h.matMul(params.get("lm_head.weight").transpose());
    }

    @Override
    public void setAdapter(String parameterName, LinearAdapter adapter) {
        adapters.put(parameterName, adapter);
    }

    @Override
    public void clearAdapters() {
        adapters.clear();
    }

    @Override
    public void setDropout(double p) {
        dropout = p;
    }

    @Override
    public NDManager manager() {
        return manager;
    }
}
