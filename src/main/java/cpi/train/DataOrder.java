package cpi.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The order examples are drawn in: a fresh seeded permutation per epoch, consumed batch by batch. The
 * whole state is (epoch, position), so a resumed run draws exactly the batches the interrupted one would
 * have drawn.
 */
public final class DataOrder {
    private final int size;
    private final long seed;
    private final boolean shuffle;
    private int epoch;
    private int position;
    private int[] perm;

    public DataOrder(int size, long seed, boolean shuffle) {
        if (size <= 0) {
            throw new IllegalArgumentException("no training examples");
        }
        this.size = size;
        this.seed = seed;
        this.shuffle = shuffle;
        this.perm = permutation(0);
    }

    public record State(int epoch, int position) {}

    public State state() {
        return new State(epoch, position);
    }

    public void restore(State s) {
        epoch = s.epoch();
        position = s.position();
        perm = permutation(epoch);
    }

    public int epoch() {
        return epoch;
    }

    /** Fraction of epochs completed, e.g. 1.25. */
    public double epochProgress() {
        return epoch + position / (double) size;
    }

    /** The next n example indices, crossing into the next epoch (new permutation) when needed. */
    public List<Integer> next(int n) {
        List<Integer> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            if (position >= size) {
                epoch++;
                position = 0;
                perm = permutation(epoch);
            }
            out.add(perm[position++]);
        }
        return out;
    }

    private int[] permutation(int ep) {
        int[] p = new int[size];
        for (int i = 0; i < size; i++) {
            p[i] = i;
        }
        if (shuffle) {
            Random r = new Random(seed * 1_000_003L + ep);
            for (int i = size - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = p[i];
                p[i] = p[j];
                p[j] = t;
            }
        }
        return p;
    }
}
