package cpi.model;

import java.util.List;

/**
 * Decoding settings. temperature 0 means greedy; topP 1 disables nucleus sampling. Generation stops at
 * maxNewTokens, at the end-of-sequence token, or when the text ends with any stop string (which is
 * then removed from the output).
 */
public record GenerationOptions(int maxNewTokens, double temperature, double topP, long seed, List<String> stop) {
    public GenerationOptions {
        if (maxNewTokens < 0) {
            throw new IllegalArgumentException("maxNewTokens must be >= 0");
        }
        if (temperature < 0 || topP <= 0 || topP > 1) {
            throw new IllegalArgumentException("temperature must be >= 0 and top-p in (0, 1]");
        }
        stop = stop == null ? List.of() : List.copyOf(stop);
    }

    public static GenerationOptions greedy(int maxNewTokens, List<String> stop) {
        return new GenerationOptions(maxNewTokens, 0.0, 1.0, 0L, stop);
    }
}
