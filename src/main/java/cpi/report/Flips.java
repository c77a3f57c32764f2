package cpi.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The per-item flip table of a run and dataset: items that followed the context at the peak of
 * counterfactual accuracy and give the parametric (memorised) answer at the end. Uses the
 * eval/step-N/items.D.jsonl files nearest to the peak step and the last one.
 */
public final class Flips {
    private Flips() {}

    public record Flip(String id, String stratum, String prompt, String counterfactualAnswer,
                       String parametricAnswer, String peakOutput, String finalOutput) {}

    /**
     * @param compared    items present at both steps
     * @param toParametric items that moved context → parametric (the table)
     * @param toContext   how many moved the other way
     */
    public record FlipSet(String run, String dataset, long peakStep, long finalStep, Path peakFile, Path finalFile,
                          int compared, List<Flip> toParametric, int toContext) {}

    /** Null when the run lacks per-item files at two different steps around the peak and the end. */
    public static FlipSet of(RunData run, String dataset) {
        DatasetSummary s = run.summary(dataset);
        List<Long> steps = run.evalSteps(dataset);
        if (s == null || steps.size() < 2) {
            return null;
        }
        long peak = nearest(steps, s.peakStep());
        long last = steps.get(steps.size() - 1);
        if (peak == last) {
            return null;
        }
        Path pf = run.itemsFile(peak, dataset);
        Path ff = run.itemsFile(last, dataset);
        if (!Files.isRegularFile(pf) || !Files.isRegularFile(ff)) {
            return null;
        }
        Map<String, JsonNode> atPeak = Items.read(pf);
        Map<String, JsonNode> atEnd = Items.read(ff);
        List<Flip> flips = new ArrayList<>();
        int compared = 0;
        int back = 0;
        for (Map.Entry<String, JsonNode> e : atPeak.entrySet()) {
            JsonNode end = atEnd.get(e.getKey());
            if (end == null) {
                continue;
            }
            compared++;
            String a = Items.label(e.getValue());
            String b = Items.label(end);
            if (a.equals("context") && b.equals("parametric")) {
                JsonNode p = e.getValue();
                flips.add(new Flip(e.getKey(), Items.text(p, "stratum"), Items.text(p, "prompt"),
                        Items.text(p, "counterfactual_answer"), Items.text(p, "parametric_answer"),
                        Items.text(p, "output"), Items.text(end, "output")));
            } else if (a.equals("parametric") && b.equals("context")) {
                back++;
            }
        }
        return new FlipSet(run.name(), dataset, peak, last, pf, ff, compared, flips, back);
    }

    static long nearest(List<Long> steps, long target) {
        long best = steps.get(0);
        for (long s : steps) {
            if (Math.abs(s - target) < Math.abs(best - target)) {
                best = s;
            }
        }
        return best;
    }
}
