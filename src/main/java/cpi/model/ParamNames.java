package cpi.model;

/**
 * cpi's stable HF-style parameter names for one family. Module names have no ".weight"/".bias"
 * suffix. Q, K and V are always separate modules ({@code q_proj}, {@code k_proj}, {@code v_proj}), also
 * for gpt2 and gpt_neox whose files fuse them.
 */
record ParamNames(Family family) {

    String embed() {
        return switch (family) {
            case GPT2 -> "transformer.wte";
            case GPT_NEOX -> "gpt_neox.embed_in";
            case LLAMA, MISTRAL -> "model.embed_tokens";
        };
    }

    /** Learned position embedding (gpt2 only). */
    String positions() {
        return "transformer.wpe";
    }

    String finalNorm() {
        return switch (family) {
            case GPT2 -> "transformer.ln_f";
            case GPT_NEOX -> "gpt_neox.final_layer_norm";
            case LLAMA, MISTRAL -> "model.norm";
        };
    }

    String lmHead() {
        return family == Family.GPT_NEOX ? "embed_out" : "lm_head";
    }

    String layerPrefix(int layer) {
        return switch (family) {
            case GPT2 -> "transformer.h." + layer + ".";
            case GPT_NEOX -> "gpt_neox.layers." + layer + ".";
            case LLAMA, MISTRAL -> "model.layers." + layer + ".";
        };
    }

    Layer layer(int i) {
        String p = layerPrefix(i);
        return switch (family) {
            case GPT2 -> new Layer(p + "ln_1", p + "ln_2", p + "attn.q_proj", p + "attn.k_proj", p + "attn.v_proj",
                    p + "attn.c_proj", null, p + "mlp.c_fc", p + "mlp.c_proj");
            case GPT_NEOX -> new Layer(p + "input_layernorm", p + "post_attention_layernorm",
                    p + "attention.q_proj", p + "attention.k_proj", p + "attention.v_proj", p + "attention.dense",
                    null, p + "mlp.dense_h_to_4h", p + "mlp.dense_4h_to_h");
            case LLAMA, MISTRAL -> new Layer(p + "input_layernorm", p + "post_attention_layernorm",
                    p + "self_attn.q_proj", p + "self_attn.k_proj", p + "self_attn.v_proj", p + "self_attn.o_proj",
                    p + "mlp.gate_proj", p + "mlp.up_proj", p + "mlp.down_proj");
        };
    }

    /** Module names of one block; gate is null outside llama/mistral. */
    record Layer(String ln1, String ln2, String q, String k, String v, String o, String gate, String up,
                 String down) {}
}
