package cpi.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import cpi.model.AttentionProbe;
import cpi.model.LinearAdapter;
import cpi.model.ParamRole;
import cpi.model.Transformer;
import java.util.LinkedHashMap;

/** {@link TrainableModel} over cpi's {@link Transformer}. */
public record TransformerModel(Transformer transformer) implements TrainableModel {
    @Override
    public LinkedHashMap<String, NDArray> parameters() {
        return transformer.parameters();
    }

    @Override
    public ParamRole role(String parameterName) {
        return Transformer.role(parameterName);
    }

    @Override
    public NDArray forward(NDArray ids, NDArray mask, boolean training, AttentionProbe probe) {
        return transformer.forward(ids, mask, null, training, probe);
    }

    @Override
    public NDArray forwardRows(NDArray ids, NDArray mask, boolean training, NDArray rows) {
        return transformer.forwardRows(ids, mask, training, null, rows);
    }

    @Override
    public void setAdapter(String parameterName, LinearAdapter adapter) {
        transformer.setAdapter(parameterName, adapter);
    }

    @Override
    public void clearAdapters() {
        transformer.clearAdapters();
    }

    @Override
    public void setDropout(double p) {
        transformer.setDropout(p);
    }

    @Override
    public NDManager manager() {
        return transformer.manager();
    }
}
