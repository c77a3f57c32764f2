package cpi.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.List;

/** Shared helpers for the inference tests: the tiny random reference models and a no-cache forward. */
final class InferenceFixtures {
    /** The tiny random HF models made by tools/reference/make_fixtures.py (see src/test/resources/reference/README.md). */
    static final List<String> FAMILIES = List.of("gpt2", "gpt_neox", "llama", "mistral");

    private InferenceFixtures() {}

    static Path dir(String family) {
        return Path.of("src/test/resources/reference", family);
    }

    static Path stories() {
        return Path.of("../shared/models/stories260K/stories260K.bin");
    }

    /** Logits [T, V] of one sequence by a full forward pass without cache or padding. */
    static float[][] fullLogits(Transformer model, int[] ids) {
        try (NDManager m = model.manager().newSubManager()) {
            long[] l = new long[ids.length];
            for (int i = 0; i < ids.length; i++) {
                l[i] = ids[i];
            }
            NDArray logits = model.forward(m.create(l, new Shape(1, ids.length)), null, null, false, null);
            int v = (int) logits.getShape().get(2);
            float[] flat = logits.toFloatArray();
            float[][] out = new float[ids.length][v];
            for (int t = 0; t < ids.length; t++) {
                System.arraycopy(flat, t * v, out[t], 0, v);
            }
            return out;
        }
    }

    static double[] logSoftmax(float[] x) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : x) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (float v : x) {
            sum += Math.exp(v - max);
        }
        double lse = max + Math.log(sum);
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] - lse;
        }
        return out;
    }

    static int[] concat(int[] a, int[] b) {
        int[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
