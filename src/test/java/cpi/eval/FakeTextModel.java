package cpi.eval;

import cpi.model.GenerationOptions;
import cpi.model.TextModel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/** An in-process TextModel answering by Synthetic's pattern; can fail calls that include given items. */
final class FakeTextModel implements TextModel {
    final AtomicInteger prompts = new AtomicInteger();
    final AtomicInteger calls = new AtomicInteger();
    final Set<Integer> failOnce = new HashSet<>();
    final List<Integer> batchSizes = new ArrayList<>();

    @Override
    public String fingerprint() {
        return "sha256:fake";
    }

    @Override
    public List<String> generate(List<String> ps, GenerationOptions options) {
        calls.incrementAndGet();
        batchSizes.add(ps.size());
        maybeFail(ps);
        prompts.addAndGet(ps.size());
        List<String> out = new ArrayList<>();
        for (String p : ps) {
            String a = Synthetic.answer(Synthetic.itemOf(p)) + "\nQ: more";
            out.add(OpenAiTextModel.cutAtStop(a, options.stop()));
        }
        return out;
    }

    @Override
    public double[] logLikelihood(List<String> ps, List<String> continuations) {
        calls.incrementAndGet();
        maybeFail(ps);
        prompts.addAndGet(ps.size());
        double[] out = new double[ps.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = Synthetic.tokenLogprob(Synthetic.itemOf(ps.get(i)), continuations.get(i));
        }
        return out;
    }

    private void maybeFail(List<String> ps) {
        for (String p : ps) {
            if (failOnce.remove(Synthetic.itemOf(p))) {
                throw new IllegalStateException("CUDA out of memory (simulated)");
            }
        }
    }
}
