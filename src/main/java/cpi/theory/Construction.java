package cpi.theory;

/**
 * The full §5.9 scenario for one set of parameters: embeddings, data (with the value-logit table their
 * classes imply) and the initial model W⁰ = [W_V⁰, W_KQ⁰].
 */
public record Construction(TheoryParams params, Embeddings embeddings, TheoryData data) {

    public static Construction build(TheoryParams params) {
        Embeddings emb = Embeddings.of(params);
        return new Construction(params, emb, TheoryData.generate(params, emb));
    }

    /** A fresh W⁰ (each call returns a new, independent model). */
    public OneLayerAttention initialModel() {
        return OneLayerAttention.initial(embeddings, data.values(), params.kqR());
    }
}
