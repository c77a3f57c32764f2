package cpi.model;

import ai.djl.ndarray.NDArray;

/**
 * Receives attention probabilities during a forward pass (for the context-vs-question attention
 * diagnostic). probs has shape [batch, heads, queryLen, keyLen]; it is only valid during the call.
 */
public interface AttentionProbe {
    void onAttention(int layer, NDArray probs);
}
