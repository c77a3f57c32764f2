package cpi.theory;

import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.RandomMatrices_DDRM;

/**
 * Vocabulary T = S ∪ A ∪ {r} and the embeddings of assumptions A2–A4 (digest §5.3, §5.9).
 *
 * <p>Token ids: subjects 0..K_S−1, answers K_S..K_S+K_A−1, relation r = K−1. The embedding space has an
 * orthonormal basis of d = K_S + K_A + 3 vectors: one private direction per subject (s̃_i) and per answer
 * (ã_j), the shared directions θ_S and θ_C, and e_r. Then φ(s_i) = (s̃_i + θ_S)/√2, φ(a_j) = (ã_j + θ_C)/√2,
 * φ(r) = e_r: unit norm, ⟨φ(s_i), φ(s_j)⟩ = ½(1 + 1[i=j]), subjects ⟂ answers ⟂ r.
 *
 * <p>With seed 0 the basis is the standard one (readable, and what tools/theory/reference_sim.py uses);
 * with any other seed it is a random orthonormal basis. Nothing in the model depends on the basis, so
 * both must give the same dynamics up to rounding — a test holds us to that.
 */
public final class Embeddings {
    private final int subjects;
    private final int answers;
    private final int dim;
    private final double[][] basis;   // basis[k] = k-th orthonormal basis vector (length d)
    private final double[][] phi;     // phi[token] = φ(token)
    private final DMatrixRMaj phiMatrix; // d×K, columns φ(token); also the frozen output head W_H

    public Embeddings(int subjects, int answers, long seed) {
        this.subjects = subjects;
        this.answers = answers;
        this.dim = subjects + answers + 3;
        this.basis = basisVectors(dim, seed);
        int k = subjects + answers + 1;
        this.phi = new double[k][];
        double h = Math.sqrt(0.5);
        for (int i = 0; i < subjects; i++) {
            phi[subjectToken(i)] = combine(h, basis[i], h, thetaS());
        }
        for (int j = 0; j < answers; j++) {
            phi[answerToken(j)] = combine(h, basis[subjects + j], h, thetaC());
        }
        phi[relationToken()] = eR();
        this.phiMatrix = new DMatrixRMaj(dim, k);
        for (int t = 0; t < k; t++) {
            for (int r = 0; r < dim; r++) {
                phiMatrix.set(r, t, phi[t][r]);
            }
        }
    }

    public static Embeddings of(TheoryParams p) {
        return new Embeddings(p.subjects(), p.answers(), p.seed());
    }

    private static double[][] basisVectors(int d, long seed) {
        double[][] b = new double[d][d];
        if (seed == 0) {
            for (int i = 0; i < d; i++) {
                b[i][i] = 1.0;
            }
            return b;
        }
        DMatrixRMaj q = RandomMatrices_DDRM.orthogonal(d, d, new Random(seed));
        for (int i = 0; i < d; i++) {
            for (int r = 0; r < d; r++) {
                b[i][r] = q.get(r, i);
            }
        }
        return b;
    }

    private static double[] combine(double a, double[] x, double b, double[] y) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = a * x[i] + b * y[i];
        }
        return out;
    }

    public int subjectToken(int i) {
        return i;
    }

    public int answerToken(int j) {
        return subjects + j;
    }

    public int relationToken() {
        return subjects + answers;
    }

    public boolean isSubject(int token) {
        return token >= 0 && token < subjects;
    }

    public boolean isAnswer(int token) {
        return token >= subjects && token < subjects + answers;
    }

    public int subjects() {
        return subjects;
    }

    public int answers() {
        return answers;
    }

    public int vocabularySize() {
        return subjects + answers + 1;
    }

    public int dim() {
        return dim;
    }

    /** φ(token); callers must not modify the array. */
    public double[] phi(int token) {
        return phi[token];
    }

    /** Φ = [φ(1) … φ(K)] (d×K), which is also the frozen output head W_H. Callers must not modify it. */
    public DMatrixRMaj matrix() {
        return phiMatrix;
    }

    public double[] thetaS() {
        return basis[subjects + answers];
    }

    public double[] thetaC() {
        return basis[subjects + answers + 1];
    }

    public double[] eR() {
        return basis[subjects + answers + 2];
    }
}
