package cpi.mitigate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import cpi.experiment.TrajectoryRecord;
import cpi.experiment.TrajectoryStore;
import cpi.util.Json;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class RunComparisonTest {
    /** A run dir whose counterfactual accuracy follows {@code cf} at steps 0, 100, ...; capability rises. */
    public static Path run(Path dir, String name, double... cf) {
        List<TrajectoryRecord> rs = new ArrayList<>();
        for (int i = 0; i < cf.length; i++) {
            rs.add(new TrajectoryRecord(i * 100L, "cf_capitals", "counterfactual_accuracy", cf[i], cf[i] - 0.04,
                    cf[i] + 0.04, 200));
            rs.add(TrajectoryRecord.of(i * 100L, "cf_capitals", "parametric_accuracy", 1 - cf[i]));
            rs.add(TrajectoryRecord.of(i * 100L, "_capability", "capability", 0.2 + 0.05 * i));
        }
        new TrajectoryStore(dir).append(rs);
        Json.writeFile(dir.resolve("run.json"), Json.object().put("name", name).put("kind", "finetune"));
        return dir;
    }

    static List<Path> runs(Path tmp) {
        return List.of(run(tmp.resolve("baseline"), "baseline", 0.3, 0.8, 0.6, 0.5),
                run(tmp.resolve("filtered"), "filtered", 0.3, 0.7, 0.72, 0.7),
                run(tmp.resolve("qk"), "qk_only", 0.3, 0.6, 0.65, 0.66));
    }

    @Test
    void tableHasPeakStepFinalDropAndCapabilityPerRun(@TempDir Path tmp) {
        RunComparison c = RunComparison.load(runs(tmp));
        List<RunComparison.Row> rows = c.rows();
        assertEquals(3, rows.size());
        RunComparison.Row b = rows.get(0);
        assertEquals("baseline", b.run());
        assertEquals(0.8, b.peak(), 1e-12);
        assertEquals(100, b.peakStep());
        assertEquals(0.5, b.finalValue(), 1e-12);
        assertEquals(0.3, b.drop(), 1e-12);
        assertEquals(0.35, b.finalCapability(), 1e-12);
        assertEquals(0.5, b.finalParametric(), 1e-12);
        RunComparison.Row q = rows.get(2);
        assertEquals(300, q.peakStep());
        assertEquals(0.0, q.drop(), 1e-12);
        String md = c.markdown();
        assertTrue(md.contains("| baseline | cf_capitals | 0.800 | 100 | 0.500 | 0.300 | 0.500 | 0.350 |"), md);
        String csv = c.csv();
        assertTrue(csv.startsWith("run,dataset,peak,peak_step,final,drop,final_parametric,final_capability\n"));
        assertTrue(csv.contains("filtered,cf_capitals,0.72,200,0.7,0.02,"), csv);
    }

    @Test
    void writesFilesAnOverlaidChartAndAReportWithAComparisonSection(@TempDir Path tmp) throws Exception {
        RunComparison c = RunComparison.load(runs(tmp));
        RunComparison.Written w = c.write(tmp.resolve("out"), true);
        JsonNode json = Json.read(w.json());
        assertEquals(3, json.size());
        assertEquals("qk_only", json.get(2).path("run").asText());
        assertEquals(0.66, json.get(2).path("final").asDouble(), 1e-12);
        assertNotNull(w.chart());
        BufferedImage img = ImageIO.read(w.chart().png().toFile());
        assertTrue(img.getWidth() > 100 && img.getHeight() > 100);
        // One series per run in the overlay.
        var chart = (org.knowm.xchart.XYChart) c.chart().chart();
        for (String name : List.of("baseline", "filtered", "qk_only")) {
            assertTrue(chart.getSeriesMap().containsKey(name), chart.getSeriesMap().keySet().toString());
        }
        String html = Files.readString(w.html());
        assertTrue(html.contains("id=\"compare\""), "comparison section present");
        assertTrue(Files.readString(w.markdown()).contains("![trajectories](compare.png)"));
    }
}
