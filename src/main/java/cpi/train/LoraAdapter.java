package cpi.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.Dropout;
import cpi.model.LinearAdapter;
import java.util.Random;

/**
 * LoRA on one linear projection W [out, in]: y = W x + (alpha / r) · B A dropout(x), A [r, in]
 * Kaiming-uniform, B [out, r] zero, so a fresh adapter leaves the model's outputs unchanged.
 */
public final class LoraAdapter implements LinearAdapter {
    private final NDArray a;
    private final NDArray b;
    private final double scale;
    private final double dropout;

    public LoraAdapter(NDArray a, NDArray b, double scale, double dropout) {
        this.a = a;
        this.b = b;
        this.scale = scale;
        this.dropout = dropout;
    }

    /** A fresh adapter for a weight of shape [out, in], created in {@code manager}, seeded. */
    public static LoraAdapter create(long out, long in, LoraOptions o, long seed, NDManager manager) {
        Random r = new Random(seed);
        float bound = (float) (1.0 / Math.sqrt(in)); // kaiming_uniform_(a=sqrt(5)), as PEFT initialises A
        float[] av = new float[(int) (o.rank() * in)];
        for (int i = 0; i < av.length; i++) {
            av[i] = (r.nextFloat() * 2 - 1) * bound;
        }
        NDArray a = manager.create(av, new Shape(o.rank(), in));
        NDArray b = manager.zeros(new Shape(out, o.rank()));
        return new LoraAdapter(a, b, o.scale(), o.dropout());
    }

    public NDArray a() {
        return a;
    }

    public NDArray b() {
        return b;
    }

    public double scale() {
        return scale;
    }

    @Override
    public NDArray apply(NDArray input, NDArray baseOutput, boolean training) {
        NDArray x = training && dropout > 0 ? Dropout.dropout(input, (float) dropout, true).singletonOrThrow() : input;
        NDArray delta = x.matMul(a.transpose()).matMul(b.transpose());
        // An NDArray scalar, not mul(Number): DJL's scalar ops can free tensors autograd still needs.
        NDArray s = input.getManager().create((float) scale);
        return baseOutput.add(delta.mul(s));
    }

    /** scale · B A, the weight delta this adapter adds ([out, in]), in {@code manager}. */
    public NDArray delta(NDManager manager) {
        NDArray d = b.matMul(a);
        d.attach(manager);
        NDArray s = manager.create((float) scale);
        return d.mul(s);
    }
}
