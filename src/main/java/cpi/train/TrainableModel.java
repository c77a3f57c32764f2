package cpi.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import cpi.model.AttentionProbe;
import cpi.model.LinearAdapter;
import cpi.model.ParamRole;
import java.util.LinkedHashMap;

/**
 * What the {@link Trainer} needs from a causal language model: named parameters with roles, a forward
 * pass with a training flag, adapter hooks on linear projections (LoRA) and dropout. {@link
 * TransformerModel} adapts {@code cpi.model.Transformer}; tests may supply tiny models of their own.
 */
public interface TrainableModel {
    LinkedHashMap<String, NDArray> parameters();

    ParamRole role(String parameterName);

    /** ids int64 [B,T], mask int64 [B,T] (1 = real token); returns float32 logits [B,T,V]. */
    NDArray forward(NDArray ids, NDArray mask, boolean training, AttentionProbe probe);

    /**
     * Logits [N, V] at the flattened positions {@code rows} (int64 [N], row b·T + t). A model may run its LM
     * head on those rows alone (the loss needs no others); this default slices the full logits.
     */
    default NDArray forwardRows(NDArray ids, NDArray mask, boolean training, NDArray rows) {
        NDArray logits = forward(ids, mask, training, null);
        Shape s = logits.getShape();
        return logits.reshape(s.get(0) * s.get(1), s.get(2)).get(rows);
    }

    void setAdapter(String parameterName, LinearAdapter adapter);

    void clearAdapters();

    void setDropout(double p);

    NDManager manager();
}
