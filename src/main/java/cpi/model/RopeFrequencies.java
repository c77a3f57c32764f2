package cpi.model;

import com.fasterxml.jackson.databind.JsonNode;

/** RoPE inverse frequencies 1 / theta^(2i / rot), with HF's linear and llama3 rope_scaling. */
final class RopeFrequencies {
    private RopeFrequencies() {}

    static float[] inverse(ModelConfig cfg) {
        int rot = cfg.rotaryDim();
        int half = rot / 2;
        float[] inv = new float[half];
        for (int i = 0; i < half; i++) {
            // HF computes base ** (arange(0, rot, 2).float() / rot) in float32.
            float exponent = (float) (2 * i) / (float) rot;
            inv[i] = (float) (1.0 / Math.pow(cfg.ropeTheta(), exponent));
        }
        JsonNode rs = cfg.ropeScaling();
        if (rs == null) {
            return inv;
        }
        String type = rs.path("rope_type").asText(rs.path("type").asText(""));
        double factor = rs.path("factor").asDouble(1.0);
        if (type.equals("linear")) {
            for (int i = 0; i < half; i++) {
                inv[i] = (float) (inv[i] / factor);
            }
        } else if (type.equals("llama3")) {
            double low = rs.path("low_freq_factor").asDouble(1.0);
            double high = rs.path("high_freq_factor").asDouble(4.0);
            double oldCtx = rs.path("original_max_position_embeddings").asDouble(8192);
            double lowWavelen = oldCtx / low;
            double highWavelen = oldCtx / high;
            for (int i = 0; i < half; i++) {
                double wavelen = 2 * Math.PI / inv[i];
                double f = inv[i];
                if (wavelen > lowWavelen) {
                    f = f / factor;
                } else if (wavelen >= highWavelen) {
                    double smooth = (oldCtx / wavelen - low) / (high - low);
                    f = (1 - smooth) * f / factor + smooth * f;
                }
                inv[i] = (float) f;
            }
        }
        return inv;
    }
}
