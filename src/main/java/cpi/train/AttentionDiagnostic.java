package cpi.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import cpi.data.ConflictItem;
import cpi.eval.PromptTemplate;
import cpi.model.Tokenizer;
import cpi.model.Transformer;
import java.util.List;

/**
 * The attention diagnostic of the paper's Fig. 3b: on conflict prompts, the attention mass that the last
 * prompt position (the one that predicts the answer) puts on the context tokens and on the question
 * tokens, averaged over heads, layers and items. Token spans come from the character spans of the
 * context and question inside the templated prompt (prefix tokenization).
 */
public final class AttentionDiagnostic {
    private AttentionDiagnostic() {}

    /** Mean attention mass on the context and on the question. */
    public record Result(double context, double question, int items) {}

    public static Result measure(Transformer t, Tokenizer tok, PromptTemplate template, List<ConflictItem> items,
                                 int maxLen) {
        double ctxSum = 0;
        double qSum = 0;
        int n = 0;
        for (ConflictItem it : items) {
            String prompt = template.prompt(it.question(), it.context());
            int cs = it.context() == null ? -1 : prompt.indexOf(it.context());
            int qs = prompt.indexOf(it.question());
            if (cs < 0 || qs < 0) {
                continue;
            }
            int bos = tok.bosId().isPresent() ? 1 : 0;
            int[] ids = tok.encode(prompt);
            int total = ids.length + bos;
            if (total > maxLen) {
                continue;
            }
            int c0 = bos + tok.encode(prompt.substring(0, cs)).length;
            int c1 = bos + tok.encode(prompt.substring(0, cs + it.context().length())).length;
            int q0 = bos + tok.encode(prompt.substring(0, qs)).length;
            int q1 = bos + tok.encode(prompt.substring(0, qs + it.question().length())).length;
            long[] all = new long[total];
            if (bos == 1) {
                all[0] = tok.bosId().getAsInt();
            }
            for (int i = 0; i < ids.length; i++) {
                all[bos + i] = ids[i];
            }
            double[] acc = new double[2];
            int[] layers = new int[1];
            try (NDManager m = t.manager().newSubManager()) {
                NDArray in = m.create(all, new Shape(1, total));
                t.forward(in, null, null, false, (layer, probs) -> {
                    // probs [1, H, T, T]: the last query row, mean over heads.
                    float[] row = probs.get(0).get(":, -1, :").mean(new int[] {0}).toFloatArray();
                    acc[0] += sum(row, c0, c1);
                    acc[1] += sum(row, q0, q1);
                    layers[0]++;
                });
            }
            if (layers[0] > 0) {
                ctxSum += acc[0] / layers[0];
                qSum += acc[1] / layers[0];
                n++;
            }
        }
        return n == 0 ? new Result(Double.NaN, Double.NaN, 0) : new Result(ctxSum / n, qSum / n, n);
    }

    private static double sum(float[] row, int from, int to) {
        double s = 0;
        for (int i = Math.max(0, from); i < Math.min(row.length, to); i++) {
            s += row[i];
        }
        return s;
    }
}
