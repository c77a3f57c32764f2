package cpi.theory;

import java.util.ArrayList;
import java.util.List;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * The paper's one-layer, single-head attention model (eq. 1), read at the last position:
 *
 * <pre>
 *   σ_y = softmax_y( φ(y)ᵀ W_KQ φ(q) )     q = last token (the relation r), y over the input tokens
 *   z   = Σ_y σ_y v(y),   v(y) = W_Hᵀ W_V φ(y)    (eq. 4; W_H = Φ frozen)
 * </pre>
 *
 * with the analytic gradients of the cross-entropy: Lemma 1 for W_KQ and App. B.3 for W_V. Both are checked
 * against central finite differences in the tests.
 */
public final class OneLayerAttention {
    private final Embeddings emb;
    private final DMatrixRMaj wKQ;
    private final DMatrixRMaj wV;
    /** V = W_Hᵀ W_V Φ (K×K), column y = v(y); rebuilt only when W_V changes. */
    private DMatrixRMaj valueLogits;
    /** W_KQ φ(q) per query token; rebuilt when W_KQ changes. */
    private double[][] queryCache;

    public OneLayerAttention(Embeddings emb, DMatrixRMaj wKQ, DMatrixRMaj wV) {
        this.emb = emb;
        this.wKQ = wKQ.copy();
        this.wV = wV.copy();
        invalidate();
    }

    /**
     * The initial model of §5.9: W_V = (Φ⁺)ᵀ V Φ⁺ so that Φᵀ W_V Φ = V exactly (Φ has full column rank),
     * and W_KQ⁰ = kqR · e_r e_rᵀ, so contexts and subjects score 0 and r scores kqR against the query r (A5).
     */
    public static OneLayerAttention initial(Embeddings emb, ValueLogitTable table, double kqR) {
        DMatrixRMaj phi = emb.matrix();
        DMatrixRMaj pinv = new DMatrixRMaj(phi.numCols, phi.numRows);
        CommonOps_DDRM.pinv(phi, pinv);                       // K×d
        DMatrixRMaj tmp = new DMatrixRMaj(phi.numCols, phi.numRows);
        CommonOps_DDRM.mult(table.matrix(), pinv, tmp);       // V Φ⁺
        DMatrixRMaj wV = new DMatrixRMaj(phi.numRows, phi.numRows);
        CommonOps_DDRM.multTransA(pinv, tmp, wV);             // (Φ⁺)ᵀ V Φ⁺
        int d = emb.dim();
        DMatrixRMaj wKQ = new DMatrixRMaj(d, d);
        double[] er = emb.eR();
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                wKQ.set(i, j, kqR * er[i] * er[j]);
            }
        }
        return new OneLayerAttention(emb, wKQ, wV);
    }

    public OneLayerAttention copy() {
        return new OneLayerAttention(emb, wKQ, wV);
    }

    public Embeddings embeddings() {
        return emb;
    }

    /** A copy of W_KQ. */
    public DMatrixRMaj keyQuery() {
        return wKQ.copy();
    }

    /** A copy of W_V. */
    public DMatrixRMaj value() {
        return wV.copy();
    }

    /** Replaces W_KQ and W_V (finite-difference tests perturb single entries through this). */
    public void setWeights(DMatrixRMaj newKQ, DMatrixRMaj newV) {
        wKQ.setTo(newKQ);
        wV.setTo(newV);
        invalidate();
    }

    private void invalidate() {
        valueLogits = null;
        queryCache = new double[emb.vocabularySize()][];
    }

    /** v(y) = W_Hᵀ W_V φ(y): the value logits of token y (column y of the value-logit table). */
    public double[] valueLogits(int token) {
        DMatrixRMaj v = valueTable();
        double[] col = new double[v.numRows];
        for (int x = 0; x < col.length; x++) {
            col[x] = v.get(x, token);
        }
        return col;
    }

    /** The whole table Φᵀ W_V Φ (K×K); callers must not modify it. */
    public DMatrixRMaj valueTable() {
        if (valueLogits == null) {
            DMatrixRMaj phi = emb.matrix();
            DMatrixRMaj wvPhi = new DMatrixRMaj(wV.numRows, phi.numCols);
            CommonOps_DDRM.mult(wV, phi, wvPhi);
            valueLogits = new DMatrixRMaj(phi.numCols, phi.numCols);
            CommonOps_DDRM.multTransA(phi, wvPhi, valueLogits);
        }
        return valueLogits;
    }

    private double[] keyQueryOf(int query) {
        double[] cached = queryCache[query];
        if (cached == null) {
            cached = matVec(wKQ, emb.phi(query));
            queryCache[query] = cached;
        }
        return cached;
    }

    public Forward forward(Example e) {
        int[] tokens = e.tokens();
        double[] kq = keyQueryOf(e.query());
        double[] scores = new double[tokens.length];
        for (int l = 0; l < tokens.length; l++) {
            scores[l] = dot(emb.phi(tokens[l]), kq);
        }
        double[] att = softmax(scores);
        DMatrixRMaj v = valueTable();
        int k = v.numRows;
        double[] z = new double[k];
        for (int l = 0; l < tokens.length; l++) {
            int y = tokens[l];
            for (int x = 0; x < k; x++) {
                z[x] += att[l] * v.data[x * k + y];
            }
        }
        return new Forward(e, att, z, softmax(z));
    }

    /** Mean loss (eq. 5) over a batch. */
    public double loss(List<Example> batch) {
        double sum = 0;
        for (Example e : batch) {
            sum += forward(e).loss();
        }
        return sum / batch.size();
    }

    /**
     * −∇L of the mean loss over the batch. Per example, with g = e_target − σ(z), h_y = v(y)ᵀ g and
     * a_y = σ_y (h_y − Σ_y' σ_y' h_y'):
     * <ul>
     *   <li>−∇_{W_KQ} ℓ = (Σ_y a_y φ(y)) φ(q)ᵀ — Lemma 1, φ(x)[diag σ − σσᵀ]φ(x)ᵀ W_Vᵀ W_H g φ(q)ᵀ;</li>
     *   <li>−∇_{W_V} ℓ = W_H g (Σ_y σ_y φ(y))ᵀ — App. B.3.</li>
     * </ul>
     */
    public Gradient negativeGradient(List<Example> batch, boolean withValue) {
        int d = emb.dim();
        DMatrixRMaj negKQ = new DMatrixRMaj(d, d);
        DMatrixRMaj negV = withValue ? new DMatrixRMaj(d, d) : null;
        DMatrixRMaj v = valueTable();
        DMatrixRMaj head = emb.matrix();
        int k = v.numRows;
        double inv = 1.0 / batch.size();
        double lossSum = 0;
        List<Forward> forwards = new ArrayList<>(batch.size());
        // −∇_{W_KQ} is a sum of (key direction) φ(q)ᵀ terms: sum the key directions per query token first, so
        // the d×d outer product is formed once per distinct query (here: once, for r) instead of per example.
        double[][] keyByQuery = new double[emb.vocabularySize()][];
        for (Example e : batch) {
            Forward f = forward(e);
            forwards.add(f);
            lossSum += f.loss();
            int[] tokens = e.tokens();
            double[] att = f.attention();
            double[] g = new double[k];
            for (int x = 0; x < k; x++) {
                g[x] = -f.probs()[x];
            }
            g[e.target()] += 1.0;
            double[] h = new double[tokens.length];
            double hBar = 0;
            for (int l = 0; l < tokens.length; l++) {
                int y = tokens[l];
                double s = 0;
                for (int x = 0; x < k; x++) {
                    s += v.data[x * k + y] * g[x];
                }
                h[l] = s;
                hBar += att[l] * s;
            }
            double[] key = new double[d];
            double[] u = new double[d];
            for (int l = 0; l < tokens.length; l++) {
                double a = att[l] * (h[l] - hBar);
                double[] p = emb.phi(tokens[l]);
                for (int i = 0; i < d; i++) {
                    key[i] += a * p[i];
                    u[i] += att[l] * p[i];
                }
            }
            double[] acc = keyByQuery[e.query()];
            if (acc == null) {
                keyByQuery[e.query()] = key;
            } else {
                for (int i = 0; i < d; i++) {
                    acc[i] += key[i];
                }
            }
            if (withValue) {
                addOuter(negV, inv, matVec(head, g), u);
            }
        }
        for (int q = 0; q < keyByQuery.length; q++) {
            if (keyByQuery[q] != null) {
                addOuter(negKQ, inv, keyByQuery[q], emb.phi(q));
            }
        }
        return new Gradient(negKQ, negV, lossSum * inv, forwards);
    }

    /** One gradient-descent step W ← W − lr ∇L on the weights the mode trains. */
    public void step(Gradient grad, double lr, TrainMode mode) {
        CommonOps_DDRM.addEquals(wKQ, lr, grad.negKQ());
        if (mode.trainsValue()) {
            if (grad.negV() == null) {
                throw new IllegalArgumentException("training W_V needs a gradient computed with withValue = true");
            }
            CommonOps_DDRM.addEquals(wV, lr, grad.negV());
            valueLogits = null;
        }
        queryCache = new double[emb.vocabularySize()][];
    }

    static double[] softmax(double[] x) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : x) {
            max = Math.max(max, v);
        }
        double[] out = new double[x.length];
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            out[i] = Math.exp(x[i] - max);
            sum += out[i];
        }
        for (int i = 0; i < x.length; i++) {
            out[i] /= sum;
        }
        return out;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /** m·x for a row-major matrix m (rows × x.length). */
    static double[] matVec(DMatrixRMaj m, double[] x) {
        double[] out = new double[m.numRows];
        int n = m.numCols;
        for (int i = 0; i < m.numRows; i++) {
            double s = 0;
            for (int j = 0; j < n; j++) {
                s += m.data[i * n + j] * x[j];
            }
            out[i] = s;
        }
        return out;
    }

    /** target += scale · a bᵀ. */
    private static void addOuter(DMatrixRMaj target, double scale, double[] a, double[] b) {
        int n = target.numCols;
        for (int i = 0; i < a.length; i++) {
            double ai = scale * a[i];
            if (ai == 0) {
                continue;
            }
            int row = i * n;
            for (int j = 0; j < b.length; j++) {
                target.data[row + j] += ai * b[j];
            }
        }
    }
}
