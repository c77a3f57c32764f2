package cpi.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cpi.experiment.TrajectoryRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CurveSummaryTest {
    private static List<TrajectoryRecord> curve(double... cf) {
        List<TrajectoryRecord> r = new ArrayList<>();
        for (int i = 0; i < cf.length; i++) {
            long step = i * 50L;
            r.add(TrajectoryRecord.of(step, "_train", "loss", 1.0));
            r.add(TrajectoryRecord.of(step, "eval_counterfactual", "counterfactual_accuracy", cf[i]));
            r.add(TrajectoryRecord.of(step, "eval_counterfactual", "parametric_accuracy", 1 - cf[i]));
            r.add(TrajectoryRecord.of(step, "_capability", "capability", 0.5 + i * 0.1));
            r.add(TrajectoryRecord.of(step, "_capability", CurveSummary.CLOSED_BOOK_METRIC, 0.2 + i * 0.15));
        }
        return r;
    }

    @Test
    void riseThenFallIsAnInversion() {
        CurveSummary c = CurveSummary.of(curve(0.05, 0.6, 0.7, 0.4, 0.2), null);
        assertEquals(0.05, c.startCf(), 1e-12);
        assertEquals(0.7, c.peakCf(), 1e-12);
        assertEquals(100, c.peakStep());
        assertEquals(0.2, c.finalCf(), 1e-12);
        assertEquals(0.5, c.drop(), 1e-12);
        assertEquals(0.8, c.finalParametric(), 1e-12);
        assertEquals(0.9, c.finalCapability(), 1e-12);
        assertEquals(0.8, c.finalClosedBook(), 1e-12);
        assertEquals(0.8, c.toJson().get("final_closed_book_accuracy").asDouble(), 1e-12);
        assertTrue(Demo.inverted(c));
        assertEquals(0.5, c.toJson().get("drop").asDouble(), 1e-12);
    }

    @Test
    void monotoneRiseOrSmallDropIsNot() {
        assertFalse(Demo.inverted(CurveSummary.of(curve(0.0, 0.3, 0.5, 0.6), null)));
        assertFalse(Demo.inverted(CurveSummary.of(curve(0.0, 0.3, 0.5, 0.45), null)), "drop < 10 points");
        assertFalse(Demo.inverted(CurveSummary.of(curve(0.5, 0.6, 0.2), null)), "rise < 15 points");
    }

    @Test
    void withoutTheClosedBookBenchmarkItsFieldIsLeftOut() {
        List<TrajectoryRecord> r = new ArrayList<>(curve(0.1, 0.5, 0.2));
        r.removeIf(t -> t.metric().equals(CurveSummary.CLOSED_BOOK_METRIC));
        CurveSummary c = CurveSummary.of(r, null);
        assertTrue(Double.isNaN(c.finalClosedBook()));
        assertFalse(c.toJson().has("final_closed_book_accuracy"));
    }

    @Test
    void aBaselineWithoutInversionIsExplainedByItsFailureMode() {
        assertEquals(null, Demo.whyNoInversion(CurveSummary.of(curve(0.05, 0.6, 0.7, 0.4, 0.2), null), 0.9));
        assertTrue(Demo.whyNoInversion(CurveSummary.of(curve(0.05, 0.2, 0.3, 0.3), null), 0.1)
                .startsWith("pretraining never learned in-context copying"));
        assertTrue(Demo.whyNoInversion(CurveSummary.of(curve(0.05, 0.1, 0.0), null), 0.9)
                .contains("from memory from the start"));
        // risen and held, closed-book questions still unanswered at the end (0.2 + 3 * 0.15 = 0.65 here)
        List<TrajectoryRecord> held = new ArrayList<>(curve(0.05, 0.6, 0.65, 0.64));
        held.removeIf(t -> t.metric().equals(CurveSummary.CLOSED_BOOK_METRIC));
        held.add(TrajectoryRecord.of(150, "_capability", CurveSummary.CLOSED_BOOK_METRIC, 0.1));
        assertTrue(Demo.whyNoInversion(CurveSummary.of(held, null), 0.9)
                .startsWith("finetuning never connected questions"));
        assertTrue(Demo.whyNoInversion(CurveSummary.of(curve(0.05, 0.6, 0.65, 0.64), null), 0.9)
                .startsWith("counterfactual accuracy rose but fell less"), "closed-book answered: none of the known modes");
    }

    @Test
    void peakIsTheFirstMaximum() {
        assertEquals(50, CurveSummary.of(curve(0.1, 0.5, 0.5, 0.1), null).peakStep());
    }

    @Test
    void augmentedAddsTheRequestedShareOfCounterfactualExamples(@TempDir Path tmp) throws Exception {
        Path ift = tmp.resolve("ift.jsonl");
        Path cf = tmp.resolve("cf.jsonl");
        List<String> a = new ArrayList<>();
        List<String> b = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            a.add("{\"id\":\"ift-" + i + "\"}");
            b.add("{\"id\":\"aug-" + i + "\"}");
        }
        Files.write(ift, a);
        Files.write(cf, b);
        Path out = VariantData.augmented(ift, cf, tmp.resolve("o/aug.jsonl"), 0.3, 0);
        List<String> lines = Files.readAllLines(out);
        assertEquals(13, lines.size());
        assertEquals(3, lines.stream().filter(l -> l.contains("aug-")).count());
        assertEquals(Files.readAllLines(out), Files.readAllLines(
                VariantData.augmented(ift, cf, tmp.resolve("o/aug2.jsonl"), 0.3, 0)), "seeded shuffle");
    }

    @Test
    void cacheKeyDependsOnWorldAndPretrainingOnly() {
        DemoConfig a = DemoConfig.of(false, 0);
        assertEquals(Pretrainer.cacheDir(a), Pretrainer.cacheDir(a.withSteps(0, 999, 7)), "IFT settings do not matter");
        assertFalse(Pretrainer.cacheDir(a).equals(Pretrainer.cacheDir(DemoConfig.of(false, 1))));
        assertFalse(Pretrainer.cacheDir(a).equals(Pretrainer.cacheDir(a.withSteps(10, 0, 0))));
    }
}
