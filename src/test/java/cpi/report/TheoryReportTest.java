package cpi.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cpi.util.Json;
import cpi.util.UserError;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.internal.chartpart.Chart;

class TheoryReportTest {
    @Test
    void writesTheTrajectoryAndGridChartsIntoTheTheoryDirectory(@TempDir Path dir) throws Exception {
        SyntheticRuns.theory(dir, true);
        List<Path> written = TheoryReport.write(dir);
        assertEquals(List.of("theory.png", "theory.svg", "grid.png", "grid.svg"),
                written.stream().map(p -> p.getFileName().toString()).toList());
        for (Path p : written) {
            assertTrue(Files.size(p) > 10_000, p + " is suspiciously small");
        }
    }

    @Test
    void trajectoryPanelsShowMcProjectionsAttentionAndLoss(@TempDir Path dir) {
        SyntheticRuns.theory(dir, false);
        JsonNode t = Json.read(dir.resolve("theory.json"));
        Figure f = TheoryReport.trajectoryFigure(t, dir.resolve("theory.json"));
        assertEquals(List.of("Test M_C", "Gradient projections at φ(r)", "Context attention σ_c", "Loss per class"),
                f.panels().stream().map(Chart::getTitle).toList());
        XYChart mc = (XYChart) f.panels().get(0);
        assertArrayEquals(new double[] {t.get("peak").get("step").asDouble()},
                mc.getSeriesMap().get("peak: M_C (test)").getXData(), "the marked peak is theory.json's peak");
        XYChart grad = (XYChart) f.panels().get(1);
        assertEquals(t.get("trajectory").get(0).get("grad_theta_c").asDouble(),
                grad.getSeriesMap().get("θ_C").getYData()[0], 1e-12);
        XYChart att = (XYChart) f.panels().get(2);
        assertTrue(att.getSeriesMap().keySet().containsAll(List.of("C points", "C+S points", "test items")));
        XYChart loss = (XYChart) f.panels().get(3);
        assertTrue(loss.getSeriesMap().keySet().containsAll(List.of("C points", "C+S points")));
    }

    @Test
    void gridHeatMapsSplitByLearningRateAndHoldTheDrops(@TempDir Path dir) {
        SyntheticRuns.theory(dir, true);
        JsonNode g = Json.read(dir.resolve("grid.json"));
        Figure f = TheoryReport.gridFigure(g, dir.resolve("grid.json"));
        assertEquals(2, f.panels().size(), "one panel per learning rate");
        HeatMapChart lr2 = (HeatMapChart) f.panels().get(1);
        assertTrue(lr2.getTitle().contains("lr=2"));
        // delta_c = 0.1 (x 0), delta_m = 0.8 (y 2): drop = (0.8 - 0.1) * 0.5 * 2 / 2 = 0.35
        List<Number[]> cells = List.copyOf(lr2.getHeatMapSeries().getHeatData());
        double v = cells.stream().filter(n -> n[0].intValue() == 0 && n[1].intValue() == 2).findFirst()
                .orElseThrow()[2].doubleValue();
        assertEquals(0.35, v, 1e-9);
    }

    @Test
    void badTheoryFilesAreOneLineErrors(@TempDir Path dir) throws Exception {
        assertThrows(UserError.class, () -> TheoryReport.write(dir));
        Files.writeString(dir.resolve("theory.json"), "{\"params\": {}}");
        UserError e = assertThrows(UserError.class, () -> TheoryReport.write(dir));
        assertTrue(e.getMessage().contains("trajectory"), e.getMessage());
    }
}
