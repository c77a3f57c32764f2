package cpi.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cpi.experiment.TrajectoryRecord;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;

class TrajectoryChartsTest {
    @TempDir
    static Path dir;
    static RunData baseline;
    static RunData filtered;

    @BeforeAll
    static void runs() {
        baseline = RunData.load(SyntheticRuns.run(dir.resolve("baseline"), "baseline", 1.0));
        filtered = RunData.load(SyntheticRuns.run(dir.resolve("filtered"), "filtered", 0.2));
    }

    static Map<String, XYSeries> series(Chart<?, ?> c) {
        @SuppressWarnings("unchecked")
        Map<String, XYSeries> m = (Map<String, XYSeries>) c.getSeriesMap();
        return m;
    }

    @Test
    void accuracyHasOnePanelPerDatasetWithBandsAndThePeak() {
        Figure f = TrajectoryCharts.accuracy(baseline, TrajectoryCharts.XAxis.STEP);
        assertEquals(SyntheticRuns.DATASETS, f.panels().stream().map(Chart::getTitle).toList());
        for (int d = 0; d < SyntheticRuns.DATASETS.size(); d++) {
            Map<String, XYSeries> s = series(f.panels().get(d));
            XYSeries cf = s.get("counterfactual");
            assertEquals(21, cf.getXData().length, "steps 0..1000 every 50");
            assertEquals(SyntheticRuns.cf(500, 1.0, d), cf.getYData()[10], 1e-12);
            assertTrue(s.containsKey("counterfactual CI") && s.containsKey("parametric CI"));
            assertArrayEquals(new double[] {300}, s.get("peak: counterfactual").getXData(), "synthetic peak at 300");
        }
    }

    @Test
    void capabilityAxisPutsEachPointAtItsStepsCapability() {
        Figure f = TrajectoryCharts.accuracy(baseline, TrajectoryCharts.XAxis.CAPABILITY);
        XYSeries cf = series(f.panels().get(0)).get("counterfactual");
        Curve cap = baseline.capability();
        for (int i = 0; i < cf.getXData().length; i++) {
            assertEquals(cap.values()[i], cf.getXData()[i], 1e-12);
        }
        assertEquals("capability score", f.panels().get(0).getXAxisTitle());
    }

    @Test
    void overlayDrawsEveryRunInEveryDataset() {
        Figure f = Charts.overlay(List.of(baseline, filtered));
        assertEquals(3, f.panels().size());
        Map<String, XYSeries> s = series(f.panels().get(0));
        assertTrue(s.keySet().containsAll(List.of("baseline", "filtered", "baseline" + TrajectoryCharts.PAR_SUFFIX,
                "filtered" + TrajectoryCharts.PAR_SUFFIX, "peak: baseline", "peak: filtered",
                TrajectoryCharts.PARAMETRIC_KEY)), s.keySet().toString());
        double[] base = s.get("baseline").getYData();
        double[] filt = s.get("filtered").getYData();
        assertTrue(filt[filt.length - 1] > base[base.length - 1] + 0.2, "the filtered run keeps more of its peak");
        // Same-named runs stay apart.
        Figure twice = Charts.overlay(List.of(baseline, baseline));
        assertTrue(series(twice.panels().get(0)).containsKey("baseline (2)"));
    }

    @Test
    void attentionAndTrainingCharts() {
        Figure att = TrajectoryCharts.attention(baseline);
        assertNotNull(att);
        Map<String, XYSeries> s = series(att.panels().get(0));
        assertTrue(s.containsKey("context attention") && s.containsKey("question attention"));
        Figure tr = TrajectoryCharts.training(baseline);
        assertEquals(List.of("Loss", "Capability"), tr.panels().stream().map(Chart::getTitle).toList());
        Map<String, XYSeries> loss = series(tr.panels().get(0));
        assertEquals(101, loss.get("training loss").getXData().length, "loss every 10 steps");
        assertTrue(loss.containsKey("held-out loss"));
    }

    @Test
    void capabilityPanelDrawsEachInLoopBenchmark() {
        RunData run = RunData.of("bench", List.of(TrajectoryRecord.of(0, "_capability", "capability", 0.2),
                TrajectoryRecord.of(0, "_capability", "benchmark_closed_book", 0.1),
                TrajectoryRecord.of(50, "_capability", "capability", 0.6),
                TrajectoryRecord.of(50, "_capability", "benchmark_closed_book", 0.9)));
        assertEquals(List.of("benchmark_closed_book"), run.benchmarkMetrics());
        Map<String, XYSeries> cap = series(TrajectoryCharts.training(run).panels().get(0));
        assertArrayEquals(new double[] {0.1, 0.9}, cap.get("closed_book").getYData());
        assertTrue(cap.containsKey("capability score"));
        assertTrue(baseline.benchmarkMetrics().isEmpty(), "runs without benchmarks draw none");
    }

    @Test
    void chartsAreAbsentWhenTheRunLacksTheirMetrics() {
        RunData lossOnly = RunData.of("loss-only", List.of(TrajectoryRecord.of(0, "_train", "loss", 3.0),
                TrajectoryRecord.of(10, "_train", "loss", 2.0)));
        assertNull(TrajectoryCharts.accuracy(lossOnly, TrajectoryCharts.XAxis.STEP));
        assertNull(TrajectoryCharts.accuracy(lossOnly, TrajectoryCharts.XAxis.CAPABILITY));
        assertNull(TrajectoryCharts.attention(lossOnly));
        XYChart c = (XYChart) TrajectoryCharts.training(lossOnly).chart();
        assertArrayEquals(new double[] {3.0, 2.0}, c.getSeriesMap().get("training loss").getYData());
    }

    @Test
    void summaryAndFlipsFollowTheTrajectoryAndItems() {
        for (int d = 0; d < SyntheticRuns.DATASETS.size(); d++) {
            String ds = SyntheticRuns.DATASETS.get(d);
            DatasetSummary s = baseline.summary(ds);
            assertEquals(300, s.peakStep());
            assertEquals(SyntheticRuns.cf(300, 1.0, d), s.peak(), 1e-12);
            assertEquals(SyntheticRuns.cf(1000, 1.0, d), s.finalValue(), 1e-12);
            assertEquals(s.peak() - s.finalValue(), s.drop(), 1e-12);
            assertEquals(Boolean.TRUE, s.inversion());
            assertEquals(Boolean.FALSE, filtered.summary(ds).inversion(), "a 0.07 drop is within the CIs");

            Flips.FlipSet fs = Flips.of(baseline, ds);
            assertEquals(300, fs.peakStep());
            assertEquals(1000, fs.finalStep());
            assertEquals(SyntheticRuns.ITEMS, fs.compared());
            long atPeak = Math.round(SyntheticRuns.cf(300, 1.0, d) * SyntheticRuns.ITEMS);
            long atEnd = Math.round(SyntheticRuns.cf(1000, 1.0, d) * SyntheticRuns.ITEMS);
            long others = 0; // items below the peak count that are "other" (id % 17 == 0) at the end
            for (long i = atEnd; i < atPeak; i++) {
                others += i % 17 == 0 ? 1 : 0;
            }
            assertEquals(atPeak - atEnd - others, fs.toParametric().size());
            assertEquals(0, fs.toContext());
            Flips.Flip first = fs.toParametric().get(0);
            assertTrue(first.peakOutput().contains("Cfcity") && first.finalOutput().contains("Realcity"));
        }
    }

    @Test
    void nonFiniteValuesAreLeftOutOfCurvesSummariesAndCharts() {
        RunData r = RunData.of("nan", List.of(
                TrajectoryRecord.of(0, "cf_x", RunData.CF, Double.NaN),
                TrajectoryRecord.of(10, "cf_x", RunData.CF, 0.4),
                TrajectoryRecord.of(20, "cf_x", RunData.CF, 0.6),
                TrajectoryRecord.of(30, "cf_x", RunData.CF, Double.POSITIVE_INFINITY),
                TrajectoryRecord.of(40, "cf_x", RunData.CF, 0.5)));
        DatasetSummary s = r.summary("cf_x");
        assertEquals(10, s.startStep());
        assertEquals(20, s.peakStep());
        assertEquals(40, s.finalStep());
        assertEquals(0.1, s.drop(), 1e-12);
        assertNull(s.inversion(), "no CIs, no verdict");
        XYSeries cf = series(TrajectoryCharts.accuracy(r, TrajectoryCharts.XAxis.STEP).chart()).get("counterfactual");
        assertArrayEquals(new double[] {10, 20, 40}, cf.getXData());
    }
}
