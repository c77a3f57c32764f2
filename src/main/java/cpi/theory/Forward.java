package cpi.theory;

/**
 * One forward pass of f_W at the last (query) position.
 *
 * @param example    the input
 * @param attention  σ_y over the input tokens (same order as example.tokens())
 * @param logits     z = Σ_y σ_y v(y) ∈ R^K (eq. 4)
 * @param probs      softmax(z)
 */
public record Forward(Example example, double[] attention, double[] logits, double[] probs) {
    /** Cross-entropy −log σ(z)_target (one term of eq. 5). */
    public double loss() {
        return -Math.log(probs[example.target()]);
    }

    /** Attention on the context token (position 0 of [c, s, r]); NaN for two-token inputs. */
    public double contextAttention() {
        return example.tokens().length == 3 ? attention[0] : Double.NaN;
    }

    /** Attention on the query token r itself (σ_r). */
    public double relationAttention() {
        return attention[attention.length - 1];
    }

    /** M_C = σ(z)_c / (σ(z)_c + σ(z)_a) (eq. 14) for an item with a memorised answer a. */
    public double contextMass() {
        int c = example.target();
        int a = example.memorisedAnswer();
        return probs[c] / (probs[c] + probs[a]);
    }
}
