package cpi.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import cpi.util.Json;
import cpi.util.UserError;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The architecture of one model, read from (and written back to) a Hugging Face config.json.
 *
 * @param headDim        per-head width (hidden / heads unless the config says otherwise)
 * @param rotaryPct      fraction of each head that RoPE rotates (gpt_neox rotary_pct; 1 for llama; 0 for gpt2)
 * @param slidingWindow  mistral sliding-window attention span in tokens; 0 = none
 * @param hiddenAct      activation: gelu (exact erf), gelu_new / gelu_pytorch_tanh (tanh approximation), silu, relu
 * @param torchDtype     dtype recorded in the file's config (float32, float16, bfloat16); compute is always float32
 * @param ropeScaling    HF rope_scaling object (null, "linear" or "llama3")
 * @param extra          the original config.json, kept so saving preserves keys cpi does not model (may be null)
 */
public record ModelConfig(
        Family family,
        int vocabSize,
        int hiddenSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int intermediateSize,
        int maxPositions,
        int headDim,
        double normEps,
        double ropeTheta,
        double rotaryPct,
        boolean tieWordEmbeddings,
        boolean parallelResidual,
        boolean attentionBias,
        boolean mlpBias,
        int slidingWindow,
        String hiddenAct,
        Integer bosTokenId,
        Integer eosTokenId,
        String torchDtype,
        JsonNode ropeScaling,
        ObjectNode extra) {

    /** hidden_act / activation_function values the transformer implements. */
    public static final java.util.List<String> SUPPORTED_ACTIVATIONS =
            java.util.List.of("gelu", "gelu_new", "gelu_pytorch_tanh", "gelu_fast", "silu", "swish", "relu");

    public ModelConfig {
        if (family == null) {
            throw new IllegalArgumentException("family is required");
        }
        if (vocabSize <= 0 || hiddenSize <= 0 || numLayers <= 0 || numHeads <= 0 || numKvHeads <= 0
                || intermediateSize <= 0 || maxPositions <= 0 || headDim <= 0) {
            throw new IllegalArgumentException("model sizes must be positive: " + family + " vocab " + vocabSize
                    + " hidden " + hiddenSize + " layers " + numLayers + " heads " + numHeads + "/" + numKvHeads
                    + " intermediate " + intermediateSize + " positions " + maxPositions + " headDim " + headDim);
        }
        if (numHeads % numKvHeads != 0) {
            throw new IllegalArgumentException("num_attention_heads " + numHeads
                    + " must be a multiple of num_key_value_heads " + numKvHeads);
        }
        if (torchDtype == null) {
            torchDtype = "float32";
        }
        if (hiddenAct == null) {
            hiddenAct = family == Family.GPT2 ? "gelu_new" : family == Family.GPT_NEOX ? "gelu" : "silu";
        }
    }

    /** Number of leading dims of each head that RoPE rotates (even); 0 for gpt2. */
    public int rotaryDim() {
        if (family == Family.GPT2) {
            return 0;
        }
        int r = (int) (headDim * rotaryPct);
        return r - (r % 2);
    }

    public int kvGroups() {
        return numHeads / numKvHeads;
    }

    // ---------------------------------------------------------------- factories for random models

    public static ModelConfig llama(int vocab, int hidden, int layers, int heads, int kvHeads, int intermediate,
                                    int maxPos) {
        return new ModelConfig(Family.LLAMA, vocab, hidden, layers, heads, kvHeads, intermediate, maxPos,
                hidden / heads, 1e-5, 10000.0, 1.0, false, false, false, false, 0, "silu", null, null, "float32",
                null, null);
    }

    public static ModelConfig mistral(int vocab, int hidden, int layers, int heads, int kvHeads, int intermediate,
                                      int maxPos, int slidingWindow) {
        return new ModelConfig(Family.MISTRAL, vocab, hidden, layers, heads, kvHeads, intermediate, maxPos,
                hidden / heads, 1e-5, 1e6, 1.0, false, false, false, false, slidingWindow, "silu", null, null,
                "float32", null, null);
    }

    /** GPT-2 with n_inner = 4 * hidden and tied embeddings. */
    public static ModelConfig gpt2(int vocab, int hidden, int layers, int heads, int maxPos) {
        return new ModelConfig(Family.GPT2, vocab, hidden, layers, heads, heads, 4 * hidden, maxPos, hidden / heads,
                1e-5, 0.0, 0.0, true, false, true, true, 0, "gelu_new", null, null, "float32", null, null);
    }

    /** Pythia-style GPT-NeoX: parallel residual, partial rotary, untied output embedding. */
    public static ModelConfig gptNeox(int vocab, int hidden, int layers, int heads, int intermediate, int maxPos,
                                      double rotaryPct) {
        return new ModelConfig(Family.GPT_NEOX, vocab, hidden, layers, heads, heads, intermediate, maxPos,
                hidden / heads, 1e-5, 10000.0, rotaryPct, false, true, true, true, 0, "gelu", null, null, "float32",
                null, null);
    }

    public ModelConfig withTokens(Integer bos, Integer eos) {
        return new ModelConfig(family, vocabSize, hiddenSize, numLayers, numHeads, numKvHeads, intermediateSize,
                maxPositions, headDim, normEps, ropeTheta, rotaryPct, tieWordEmbeddings, parallelResidual,
                attentionBias, mlpBias, slidingWindow, hiddenAct, bos, eos, torchDtype, ropeScaling, extra);
    }

    public ModelConfig withTorchDtype(String dtype) {
        return new ModelConfig(family, vocabSize, hiddenSize, numLayers, numHeads, numKvHeads, intermediateSize,
                maxPositions, headDim, normEps, ropeTheta, rotaryPct, tieWordEmbeddings, parallelResidual,
                attentionBias, mlpBias, slidingWindow, hiddenAct, bosTokenId, eosTokenId, dtype, ropeScaling, extra);
    }

    public ModelConfig withTiedEmbeddings(boolean tied) {
        return new ModelConfig(family, vocabSize, hiddenSize, numLayers, numHeads, numKvHeads, intermediateSize,
                maxPositions, headDim, normEps, ropeTheta, rotaryPct, tied, parallelResidual,
                attentionBias, mlpBias, slidingWindow, hiddenAct, bosTokenId, eosTokenId, torchDtype, ropeScaling,
                extra);
    }

    /** The same architecture with another original-config object (null drops it). */
    public ModelConfig withExtra(ObjectNode newExtra) {
        return new ModelConfig(family, vocabSize, hiddenSize, numLayers, numHeads, numKvHeads, intermediateSize,
                maxPositions, headDim, normEps, ropeTheta, rotaryPct, tieWordEmbeddings, parallelResidual,
                attentionBias, mlpBias, slidingWindow, hiddenAct, bosTokenId, eosTokenId, torchDtype, ropeScaling,
                newExtra);
    }

    public ModelConfig withNormEps(double eps) {
        return new ModelConfig(family, vocabSize, hiddenSize, numLayers, numHeads, numKvHeads, intermediateSize,
                maxPositions, headDim, eps, ropeTheta, rotaryPct, tieWordEmbeddings, parallelResidual,
                attentionBias, mlpBias, slidingWindow, hiddenAct, bosTokenId, eosTokenId, torchDtype, ropeScaling,
                extra);
    }

    public ModelConfig withRopeTheta(double theta) {
        return new ModelConfig(family, vocabSize, hiddenSize, numLayers, numHeads, numKvHeads, intermediateSize,
                maxPositions, headDim, normEps, theta, rotaryPct, tieWordEmbeddings, parallelResidual,
                attentionBias, mlpBias, slidingWindow, hiddenAct, bosTokenId, eosTokenId, torchDtype, ropeScaling,
                extra);
    }

    // ---------------------------------------------------------------- HF config.json

    /** Reads a HF config.json (or the config.json inside a model directory). */
    public static ModelConfig read(Path configJson) {
        Path file = Files.isDirectory(configJson) ? configJson.resolve("config.json") : configJson;
        if (!Files.isRegularFile(file)) {
            throw new UserError(file.getParent() + ": no config.json (a HF model directory needs config.json, "
                    + "model.safetensors and usually tokenizer.json)");
        }
        JsonNode root = Json.read(file);
        if (!root.isObject()) {
            throw new UserError(file + ": expected a JSON object");
        }
        return fromJson((ObjectNode) root, file);
    }

    static ModelConfig fromJson(ObjectNode j, Path file) {
        String type = j.path("model_type").asText(null);
        Family fam = Family.fromModelType(type);
        if (fam == null) {
            throw new UserError(file + ": unknown model_type " + (type == null ? "(missing)" : "'" + type + "'")
                    + "; cpi supports " + Family.knownModelTypes());
        }
        Fields f = new Fields(j, file);
        String act = j.path(fam == Family.GPT2 ? "activation_function" : "hidden_act").asText(null);
        if (act != null && !SUPPORTED_ACTIVATIONS.contains(act)) {
            throw new UserError(file + ": activation '" + act + "' is not supported (cpi supports "
                    + String.join(", ", SUPPORTED_ACTIVATIONS) + ")");
        }
        return switch (fam) {
            case GPT2 -> {
                int hidden = f.req("n_embd");
                int heads = f.req("n_head");
                int inner = f.opt("n_inner", 4 * hidden);
                if (!j.path("scale_attn_weights").asBoolean(true) || j.path("scale_attn_by_inverse_layer_idx")
                        .asBoolean(false)) {
                    throw new UserError(file + ": gpt2 attention-scaling variants (scale_attn_weights false or "
                            + "scale_attn_by_inverse_layer_idx true) are not supported");
                }
                yield new ModelConfig(fam, f.req("vocab_size"), hidden, f.req("n_layer"), heads, heads, inner,
                        f.opt("n_positions", f.opt("n_ctx", 1024)), hidden / heads,
                        j.path("layer_norm_epsilon").asDouble(1e-5), 0.0, 0.0,
                        j.path("tie_word_embeddings").asBoolean(true), false, true, true, 0,
                        j.path("activation_function").asText("gelu_new"), f.optInt("bos_token_id"),
                        f.optInt("eos_token_id"), j.path("torch_dtype").asText("float32"), null, j.deepCopy());
            }
            case GPT_NEOX -> {
                int hidden = f.req("hidden_size");
                int heads = f.req("num_attention_heads");
                yield new ModelConfig(fam, f.req("vocab_size"), hidden, f.req("num_hidden_layers"), heads, heads,
                        f.req("intermediate_size"), f.opt("max_position_embeddings", 2048), hidden / heads,
                        j.path("layer_norm_eps").asDouble(1e-5),
                        j.has("rope_theta") ? j.get("rope_theta").asDouble() : j.path("rotary_emb_base")
                                .asDouble(10000.0),
                        j.path("rotary_pct").asDouble(j.path("partial_rotary_factor").asDouble(0.25)),
                        j.path("tie_word_embeddings").asBoolean(false),
                        j.path("use_parallel_residual").asBoolean(true), j.path("attention_bias").asBoolean(true),
                        true, 0, j.path("hidden_act").asText("gelu"), f.optInt("bos_token_id"),
                        f.optInt("eos_token_id"), j.path("torch_dtype").asText("float32"), ropeScaling(j, file),
                        j.deepCopy());
            }
            case LLAMA, MISTRAL -> {
                int hidden = f.req("hidden_size");
                int heads = f.req("num_attention_heads");
                int kv = f.opt("num_key_value_heads", heads);
                int headDim = j.hasNonNull("head_dim") ? j.get("head_dim").asInt() : hidden / heads;
                int window = fam == Family.MISTRAL && j.hasNonNull("sliding_window")
                        ? j.get("sliding_window").asInt() : 0;
                yield new ModelConfig(fam, f.req("vocab_size"), hidden, f.req("num_hidden_layers"), heads, kv,
                        f.req("intermediate_size"), f.opt("max_position_embeddings", 2048), headDim,
                        j.path("rms_norm_eps").asDouble(1e-6), j.path("rope_theta").asDouble(10000.0), 1.0,
                        j.path("tie_word_embeddings").asBoolean(false), false,
                        j.path("attention_bias").asBoolean(false), j.path("mlp_bias").asBoolean(false), window,
                        j.path("hidden_act").asText("silu"), f.optInt("bos_token_id"), f.optInt("eos_token_id"),
                        j.path("torch_dtype").asText("float32"), ropeScaling(j, file), j.deepCopy());
            }
        };
    }

    private static JsonNode ropeScaling(ObjectNode j, Path file) {
        JsonNode rs = j.get("rope_scaling");
        if (rs == null || rs.isNull()) {
            return null;
        }
        String type = rs.path("rope_type").asText(rs.path("type").asText(""));
        if (!type.equals("linear") && !type.equals("llama3") && !type.equals("default")) {
            throw new UserError(file + ": rope_scaling type '" + type + "' is not supported (cpi supports linear "
                    + "and llama3); remove rope_scaling or use another model");
        }
        return type.equals("default") ? null : rs.deepCopy();
    }

    /** Config.json for this model in HF layout (original keys kept, cpi's fields overwritten). */
    public ObjectNode toHfJson() {
        ObjectNode j = extra == null ? Json.object() : extra.deepCopy();
        j.put("model_type", family.modelType());
        switch (family) {
            case GPT2 -> {
                j.putArray("architectures").add("GPT2LMHeadModel");
                j.put("vocab_size", vocabSize);
                j.put("n_embd", hiddenSize);
                j.put("n_layer", numLayers);
                j.put("n_head", numHeads);
                j.put("n_inner", intermediateSize);
                j.put("n_positions", maxPositions);
                j.put("n_ctx", maxPositions);
                j.put("layer_norm_epsilon", normEps);
                j.put("activation_function", hiddenAct);
            }
            case GPT_NEOX -> {
                j.putArray("architectures").add("GPTNeoXForCausalLM");
                j.put("vocab_size", vocabSize);
                j.put("hidden_size", hiddenSize);
                j.put("num_hidden_layers", numLayers);
                j.put("num_attention_heads", numHeads);
                j.put("intermediate_size", intermediateSize);
                j.put("max_position_embeddings", maxPositions);
                j.put("layer_norm_eps", normEps);
                j.put("rotary_pct", rotaryPct);
                j.put("rotary_emb_base", ropeTheta);
                j.put("use_parallel_residual", parallelResidual);
                j.put("attention_bias", attentionBias);
                j.put("hidden_act", hiddenAct);
            }
            case LLAMA, MISTRAL -> {
                j.putArray("architectures").add(family == Family.LLAMA ? "LlamaForCausalLM" : "MistralForCausalLM");
                j.put("vocab_size", vocabSize);
                j.put("hidden_size", hiddenSize);
                j.put("num_hidden_layers", numLayers);
                j.put("num_attention_heads", numHeads);
                j.put("num_key_value_heads", numKvHeads);
                j.put("intermediate_size", intermediateSize);
                j.put("max_position_embeddings", maxPositions);
                j.put("rms_norm_eps", normEps);
                j.put("rope_theta", ropeTheta);
                j.put("hidden_act", hiddenAct);
                j.put("attention_bias", attentionBias);
                j.put("mlp_bias", mlpBias);
                if (headDim != hiddenSize / numHeads) {
                    j.put("head_dim", headDim);
                }
                if (family == Family.MISTRAL) {
                    if (slidingWindow > 0) {
                        j.put("sliding_window", slidingWindow);
                    } else {
                        j.putNull("sliding_window");
                    }
                }
                if (ropeScaling != null) {
                    j.set("rope_scaling", ropeScaling.deepCopy());
                }
            }
        }
        j.put("tie_word_embeddings", tieWordEmbeddings);
        if (bosTokenId != null) {
            j.put("bos_token_id", bosTokenId);
        }
        // Keep a list-valued eos_token_id (Llama 3) when its first entry is still ours.
        boolean keepList = j.path("eos_token_id").isArray() && j.get("eos_token_id").size() > 0
                && eosTokenId != null && j.get("eos_token_id").get(0).asInt() == eosTokenId;
        if (eosTokenId != null && !keepList) {
            j.put("eos_token_id", eosTokenId);
        }
        j.put("torch_dtype", torchDtype);
        return j;
    }

    /** Required/optional integer fields with one-line errors naming the file and key. */
    private record Fields(ObjectNode j, Path file) {
        int req(String key) {
            JsonNode n = j.get(key);
            if (n == null || !n.canConvertToInt()) {
                throw new UserError(file + ": missing or non-integer '" + key + "' (required for model_type "
                        + j.path("model_type").asText() + ")");
            }
            return n.asInt();
        }

        int opt(String key, int dflt) {
            JsonNode n = j.get(key);
            return n == null || n.isNull() ? dflt : n.asInt();
        }

        Integer optInt(String key) {
            JsonNode n = j.get(key);
            if (n == null || n.isNull()) {
                return null;
            }
            // eos_token_id may be a list (Llama 3): the first entry is the primary end token.
            if (n.isArray()) {
                return n.size() == 0 ? null : n.get(0).asInt();
            }
            return n.asInt();
        }
    }
}
