package cpi.theory;

import org.ejml.data.DMatrixRMaj;

/**
 * The target value-logit table V[x, y] = φ(x)ᵀ W_V⁰ φ(y) (digest §5.9): column y is v0(y), the output
 * logits token y contributes when attended to.
 *
 * <p>Starts at the A6 base values (every answer row o_c, the r row o_r, every subject row 0), so each
 * column's softmax mass outside one entry is Z = (K_A − 1)e^{o_c} + e^{o_r} + K_S. Datapoints then raise
 * single entries to log(δ/(1−δ)) + log Z, which makes that entry's probability exactly δ (Lemma 3).
 */
public final class ValueLogitTable {
    private final Embeddings emb;
    private final DMatrixRMaj v;
    private final double logZ;

    public ValueLogitTable(Embeddings emb, double oC, double oR) {
        this.emb = emb;
        int k = emb.vocabularySize();
        this.v = new DMatrixRMaj(k, k);
        for (int x = 0; x < k; x++) {
            double base = emb.isAnswer(x) ? oC : x == emb.relationToken() ? oR : 0.0;
            for (int y = 0; y < k; y++) {
                v.set(x, y, base);
            }
        }
        this.logZ = Math.log((emb.answers() - 1) * Math.exp(oC) + Math.exp(oR) + emb.subjects());
    }

    /** The logit that gives probability δ to one entry of a column whose other entries carry mass Z. */
    public double logitFor(double delta) {
        return Math.log(delta / (1 - delta)) + logZ;
    }

    /** σ(v0(c))_c = δ_C: the context token's own value predicts it (D_C, D_{C+S}, test contexts). */
    public void contextPredictsItself(int context, double deltaC) {
        v.set(context, context, logitFor(deltaC));
    }

    /** σ(v0(s))_a = δ: the subject's value predicts answer a (memorised fact, Def. 1). */
    public void memorise(int subject, int answer, double delta) {
        v.set(answer, subject, logitFor(delta));
    }

    /** The table itself (K×K); callers must not modify it. */
    public DMatrixRMaj matrix() {
        return v;
    }

    public double get(int x, int y) {
        return v.get(x, y);
    }

    Embeddings embeddings() {
        return emb;
    }
}
