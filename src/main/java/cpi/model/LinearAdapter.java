package cpi.model;

import ai.djl.ndarray.NDArray;

/**
 * A trainable side path on one linear projection (LoRA). The transformer calls it with the
 * projection's input [.., in] and the frozen base output [.., out]; it returns the output to use.
 */
public interface LinearAdapter {
    NDArray apply(NDArray input, NDArray baseOutput, boolean training);
}
