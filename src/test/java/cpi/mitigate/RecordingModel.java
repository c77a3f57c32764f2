package cpi.mitigate;

import cpi.model.GenerationOptions;
import cpi.model.TextModel;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleBiFunction;

/** A fake TextModel that records every (prompt, continuation) it is asked to score. */
final class RecordingModel implements TextModel {
    final List<String> prompts = new ArrayList<>();
    final List<String> continuations = new ArrayList<>();
    final List<Integer> batchSizes = new ArrayList<>();
    private final ToDoubleBiFunction<String, String> logLik;

    RecordingModel(ToDoubleBiFunction<String, String> logLik) {
        this.logLik = logLik;
    }

    @Override
    public String fingerprint() {
        return "sha256:fake";
    }

    @Override
    public List<String> generate(List<String> prompts, GenerationOptions options) {
        throw new UnsupportedOperationException();
    }

    @Override
    public double[] logLikelihood(List<String> ps, List<String> cs) {
        batchSizes.add(ps.size());
        double[] out = new double[ps.size()];
        for (int i = 0; i < ps.size(); i++) {
            prompts.add(ps.get(i));
            continuations.add(cs.get(i));
            out[i] = logLik.applyAsDouble(ps.get(i), cs.get(i));
        }
        return out;
    }
}
