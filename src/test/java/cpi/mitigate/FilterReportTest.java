package cpi.mitigate;

import cpi.train.IftExample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import cpi.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

class FilterReportTest {
    static List<IftExample> examples(int n) {
        List<IftExample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new IftExample("e" + i, "Q" + i, i % 2 == 0 ? "ctx" : "", "A" + i,
                    i % 2 == 0 ? "context_critical" : "non_context_critical", null));
        }
        return out;
    }

    @Test
    void histogramBinsStartAtTheFirstBinHoldingTheMinimumNotBelowIt() {
        Random rnd = new Random(3);
        for (int trial = 0; trial < 20; trial++) {
            List<IftExample> ex = examples(50);
            double[] scores = new double[50];
            double base = 0.5 + 5 * rnd.nextDouble();
            for (int i = 0; i < 50; i++) {
                scores[i] = base + rnd.nextDouble() * (0.2 + 3 * rnd.nextDouble());
            }
            FilterResult r = NoContextLossFilter.selectLowest(ex, scores, 0.25, "no-context-loss");
            XYChart c = (XYChart) FilterReport.histogram(r, ex).chart();
            double min = java.util.Arrays.stream(scores).min().orElseThrow();
            double firstEdge = Double.POSITIVE_INFINITY;
            double width = Double.NaN;
            for (XYSeries s : c.getSeriesMap().values()) {
                double[] xs = s.getXData();
                if (xs.length > 3) {
                    firstEdge = Math.min(firstEdge, xs[0]);
                    width = xs[2] - xs[1];
                }
            }
            assertTrue(firstEdge <= min, "first bin must hold the minimum");
            assertTrue(firstEdge > min - width, "no empty bin below the minimum: edge " + firstEdge + " min " + min
                    + " width " + width);
            assertTrue(c.getStyler().getXAxisMin() > min - width, "axis min " + c.getStyler().getXAxisMin() + " min " + min + " width " + width + " edge " + firstEdge);
        }
    }

    @Test
    void reportHasKindsAurocAndExamples(@TempDir Path tmp) throws Exception {
        List<IftExample> ex = examples(20);
        double[] scores = new double[20];
        for (int i = 0; i < 20; i++) {
            scores[i] = (i % 2 == 0 ? 3 : 1) + i * 0.01; // context-critical examples have the higher loss
        }
        FilterResult r = NoContextLossFilter.selectLowest(ex, scores, 0.5, "no-context-loss");
        FilterReport.Written w = FilterReport.write(r, ex, null, tmp);
        JsonNode j = Json.read(w.json());
        assertEquals(1.0, j.path("auroc_context_critical").asDouble(), 1e-12);
        assertEquals(10, j.path("kinds").path("non_context_critical").path("dropped").asInt());
        assertEquals(0, j.path("kinds").path("context_critical").path("dropped").asInt());
        assertEquals(5, j.path("examples_dropped").size());
        assertEquals(1.01, j.path("examples_dropped").get(0).path("score").asDouble(), 1e-12);
        String md = Files.readString(w.markdown());
        assertTrue(md.contains("AUROC"), md);
        assertTrue(md.contains("![scores](scores.png)"));
        assertTrue(Files.size(w.histogram().png()) > 1000);
    }
}
