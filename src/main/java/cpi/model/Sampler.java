package cpi.model;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from one row of logits: greedy (temperature 0) or temperature plus nucleus
 * (top-p) sampling. Each prompt gets its own random stream seeded from the run's seed alone, so a
 * prompt samples the same tokens whether it is generated alone or inside a batch.
 */
public final class Sampler {
    private final double temperature;
    private final double topP;
    private final SplittableRandom random;

    public Sampler(double temperature, double topP, long seed) {
        this.temperature = temperature;
        this.topP = topP;
        this.random = new SplittableRandom(seed);
    }

    public boolean greedy() {
        return temperature == 0.0;
    }

    /** Index of the largest logit (the first one on ties, as argmax in llama2.c and PyTorch). */
    public static int argmax(float[] logits, int offset, int length) {
        int best = 0;
        float bestValue = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < length; i++) {
            float v = logits[offset + i];
            if (v > bestValue) {
                bestValue = v;
                best = i;
            }
        }
        return best;
    }

    /** Samples an id from logits[offset, offset+length). */
    public int sample(float[] logits, int offset, int length) {
        if (greedy()) {
            return argmax(logits, offset, length);
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < length; i++) {
            max = Math.max(max, logits[offset + i]);
        }
        double[] p = new double[length];
        double sum = 0;
        for (int i = 0; i < length; i++) {
            double v = Math.exp((logits[offset + i] - max) / temperature);
            p[i] = v;
            sum += v;
        }
        if (topP >= 1.0) {
            double u = random.nextDouble() * sum;
            double acc = 0;
            for (int i = 0; i < length; i++) {
                acc += p[i];
                if (u < acc) {
                    return i;
                }
            }
            return argmax(logits, offset, length);
        }
        // Nucleus: the smallest set of most likely tokens whose mass reaches topP, renormalized.
        Integer[] order = new Integer[length];
        for (int i = 0; i < length; i++) {
            order[i] = i;
        }
        final double[] probs = p;
        Arrays.sort(order, (a, b) -> Double.compare(probs[b], probs[a]));
        double target = topP * sum;
        double kept = 0;
        int k = 0;
        while (k < length) {
            kept += p[order[k]];
            k++;
            if (kept >= target) {
                break;
            }
        }
        double u = random.nextDouble() * kept;
        double acc = 0;
        for (int j = 0; j < k; j++) {
            acc += p[order[j]];
            if (u < acc) {
                return order[j];
            }
        }
        return order[k - 1];
    }
}
