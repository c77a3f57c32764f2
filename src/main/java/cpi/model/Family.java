package cpi.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Decoder-only transformer families cpi implements, keyed by the HF config.json {@code model_type}. */
public enum Family {
    GPT2("gpt2"),
    GPT_NEOX("gpt_neox"),
    LLAMA("llama"),
    MISTRAL("mistral");

    private final String modelType;

    Family(String modelType) {
        this.modelType = modelType;
    }

    /** The HF {@code model_type} string. */
    public String modelType() {
        return modelType;
    }

    /** RMSNorm + RoPE + SwiGLU + GQA families (they share one code path and tensor names). */
    public boolean isLlamaLike() {
        return this == LLAMA || this == MISTRAL;
    }

    /** The family for a model_type, or null if cpi does not implement it. */
    public static Family fromModelType(String modelType) {
        if (modelType == null) {
            return null;
        }
        String t = modelType.toLowerCase(Locale.ROOT);
        for (Family f : values()) {
            if (f.modelType.equals(t)) {
                return f;
            }
        }
        return null;
    }

    public static String knownModelTypes() {
        return Arrays.stream(values()).map(Family::modelType).collect(Collectors.joining(", "));
    }
}
