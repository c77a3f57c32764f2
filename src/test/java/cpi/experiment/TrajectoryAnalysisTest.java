package cpi.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cpi.util.AtomicFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrajectoryAnalysisTest {
    @TempDir
    Path run;

    private static List<TrajectoryRecord> curve(double... cf) {
        List<TrajectoryRecord> rs = new ArrayList<>();
        for (int i = 0; i < cf.length; i++) {
            rs.add(new TrajectoryRecord(i * 10L, "cf_x", "counterfactual_accuracy", cf[i], cf[i] - 0.05, cf[i] + 0.05, 100));
            rs.add(TrajectoryRecord.of(i * 10L, "cf_x", "parametric_accuracy", 1 - cf[i]));
            rs.add(TrajectoryRecord.of(i * 10L, "_capability", "capability", 0.1 * i));
        }
        return rs;
    }

    @Test
    void riseThenFallBeyondCisIsAnInversion() {
        var a = TrajectoryAnalysis.analyze(curve(0.3, 0.6, 0.9, 0.7, 0.5)).datasets().get("cf_x");
        assertEquals(20, a.peakStep());
        assertEquals(0.9, a.peak(), 1e-12);
        assertEquals(0.5, a.finalValue(), 1e-12);
        assertEquals(0.4, a.drop(), 1e-12);
        assertTrue(a.inversion());
        assertEquals(0.1, a.parametricAtPeak(), 1e-12);
        assertEquals(0.4, a.capabilityFinal(), 1e-12);
    }

    @Test
    void fallWithinCisOrMonotoneRiseIsNot() {
        assertFalse(TrajectoryAnalysis.analyze(curve(0.3, 0.6, 0.9, 0.88)).datasets().get("cf_x").inversion());
        assertFalse(TrajectoryAnalysis.analyze(curve(0.3, 0.6, 0.9)).datasets().get("cf_x").inversion());
    }

    @Test
    void wilsonIntervalWhenOnlyNIsKnown() {
        List<TrajectoryRecord> rs = List.of(
                new TrajectoryRecord(0, "d", "counterfactual_accuracy", 0.2, Double.NaN, Double.NaN, 400),
                new TrajectoryRecord(1, "d", "counterfactual_accuracy", 0.8, Double.NaN, Double.NaN, 400),
                new TrajectoryRecord(2, "d", "counterfactual_accuracy", 0.3, Double.NaN, Double.NaN, 400));
        assertTrue(TrajectoryAnalysis.analyze(rs).datasets().get("d").inversion());
    }

    @Test
    void flipTableFromItemFiles() throws Exception {
        new TrajectoryStore(run).append(curve(0.3, 0.9, 0.5));
        AtomicFiles.writeString(run.resolve("eval/step-000010/items.cf_x.jsonl"),
                "{\"id\":\"a\",\"label\":\"context\",\"output\":\"B\",\"counterfactual_answer\":\"B\",\"parametric_answer\":\"C\"}\n"
                + "{\"id\":\"b\",\"label\":\"context\",\"output\":\"B\"}\n");
        AtomicFiles.writeString(run.resolve("eval/step-000020/items.cf_x.jsonl"),
                "{\"id\":\"a\",\"label\":\"parametric\",\"output\":\"C\"}\n{\"id\":\"b\",\"label\":\"context\",\"output\":\"B\"}\n");
        var r = TrajectoryAnalysis.write(run);
        var f = r.datasets().get("cf_x").flips();
        assertNotNull(f);
        assertEquals(1, f.toParametric().size());
        assertEquals("a", f.toParametric().get(0).id());
        assertTrue(Files.readString(run.resolve("analysis.json")).contains("\"context_to_parametric\" : 1"));
    }
}
