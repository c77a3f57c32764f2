package cpi.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cpi.data.Dataset;
import cpi.experiment.TrajectoryRecord;
import cpi.util.UserError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluatorTest {
    static final EvalOptions OPTS = EvalOptions.defaults().withProgress(false).withBootstrap(200).withBatchSize(4);

    @Test
    void scoresInBatchesWithStrataAndTrajectory() {
        FakeTextModel m = new FakeTextModel();
        EvalResult r = new Evaluator().evaluate(m, Synthetic.dataset(20), Templates.get("plain"), "contains", OPTS);
        assertEquals(List.of(4, 4, 4, 4, 4), m.batchSizes);
        assertEquals(20, r.n());
        assertEquals(0.6, r.counterfactualAccuracy(), 1e-12);
        assertEquals(0.4, r.parametricAccuracy(), 1e-12);
        assertEquals(List.of("even", "odd"), List.copyOf(r.strata().keySet()));
        // even items 0,2,...,18: N%5 in {0,1,3} → 0,6,8,10,16,18 → 6/10.
        assertEquals(0.6, r.strata().get("even").counterfactualAccuracy(), 1e-12);
        assertEquals(10, r.strata().get("odd").n());
        ItemResult first = r.items().get(0);
        assertEquals("Item 0 is CF0.\nQ: What is item 0?\nA:", first.prompt());
        assertEquals(" CF0", first.output());
        List<TrajectoryRecord> tr = r.toTrajectory(50);
        assertEquals(4, tr.size());
        assertEquals(new TrajectoryRecord(50, "synth", "counterfactual_accuracy", 0.6, r.cfCiLow(), r.cfCiHigh(), 20),
                tr.get(0));
        assertEquals("memorization_ratio", tr.get(3).metric());
    }

    @Test
    void logprobScorerNeedsNoGeneration() {
        FakeTextModel m = new FakeTextModel();
        EvalResult r = new Evaluator().evaluate(m, Synthetic.dataset(10), Templates.get("plain"), "logprob", OPTS);
        assertEquals(0.6, r.counterfactualAccuracy(), 1e-12);
        assertEquals(0.2, r.parametricAccuracy(), 1e-12);
        assertTrue(m.batchSizes.isEmpty(), "generate was never called");
        assertEquals(20, m.prompts.get(), "two continuations per item");
    }

    @Test
    void resumesFromTheItemsFileAndRedoesOnlyFailedItems(@TempDir Path out) throws Exception {
        Dataset ds = Synthetic.dataset(20);
        FakeTextModel m = new FakeTextModel();
        m.failOnce.add(5);
        EvalResult r = new Evaluator().evaluate(m, ds, Templates.get("plain"), "contains", OPTS.withOutDir(out));
        assertEquals(16, r.n(), "the batch holding item 5 failed");
        assertEquals(4, r.failed());
        assertTrue(r.items().get(5).error().contains("out of memory"));
        Path items = out.resolve("items.synth.jsonl");
        assertEquals(20, Files.readAllLines(items).size());

        FakeTextModel again = new FakeTextModel();
        EvalResult r2 = new Evaluator().evaluate(again, ds, Templates.get("plain"), "contains", OPTS.withOutDir(out));
        assertEquals(20, r2.n());
        assertEquals(4, again.prompts.get(), "only the 4 failed items were redone");
        assertEquals(0.6, r2.counterfactualAccuracy(), 1e-12);
        ServedEvalTest.assertOneRecordPerItem(items, 20);

        FakeTextModel third = new FakeTextModel();
        new Evaluator().evaluate(third, ds, Templates.get("plain"), "contains", OPTS.withOutDir(out));
        assertEquals(0, third.prompts.get(), "a finished dataset is not redone");
    }

    @Test
    void aTornLastLineIsRedoneAndASmallerLimitKeepsEarlierWork(@TempDir Path out) throws Exception {
        Dataset ds = Synthetic.dataset(10);
        new Evaluator().evaluate(new FakeTextModel(), ds, Templates.get("plain"), "contains", OPTS.withOutDir(out));
        Path items = out.resolve("items.synth.jsonl");
        List<String> lines = Files.readAllLines(items);
        String torn = String.join("\n", lines.subList(0, 9)) + "\n" + lines.get(9).substring(0, 30);
        Files.writeString(items, torn);
        FakeTextModel m = new FakeTextModel();
        EvalResult r = new Evaluator().evaluate(m, ds, Templates.get("plain"), "contains", OPTS.withOutDir(out));
        assertEquals(1, m.prompts.get());
        assertEquals(10, r.n());
        ServedEvalTest.assertOneRecordPerItem(items, 10);

        EvalResult small = new Evaluator().evaluate(new FakeTextModel(), ds, Templates.get("plain"), "contains",
                OPTS.withOutDir(out).withLimit(3));
        assertEquals(3, small.n());
        ServedEvalTest.assertOneRecordPerItem(items, 10);
    }

    @Test
    void resumingWithOtherSettingsIsRefused(@TempDir Path out) {
        Dataset ds = Synthetic.dataset(4);
        new Evaluator().evaluate(new FakeTextModel(), ds, Templates.get("plain"), "contains", OPTS.withOutDir(out));
        String m = assertThrows(UserError.class, () -> new Evaluator().evaluate(new FakeTextModel(), ds,
                Templates.get("alpaca"), "contains", OPTS.withOutDir(out))).getMessage();
        assertTrue(m.contains("template plain") && m.contains("another --out"), m);
    }
}
