package cpi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import cpi.util.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TheoryCommandTest {
    @TempDir
    Path dir;

    private static String runCapturing(String... args) {
        CliRun.Output o = CliRun.cpi(args);
        assertEquals(0, o.code(), o.err());
        return o.out();
    }

    @Test
    void writesTheoryJsonWithTheContractFields() {
        String out = runCapturing("theory", "--steps", "30", "--out", dir.toString());
        assertTrue(out.contains("peak"), out);
        // table rows every 10 steps: 0, 10, 20, 30
        assertEquals(4, out.lines().filter(l -> l.matches("\\s+\\d+\\s+0\\.\\d+.*")).count(), out);
        JsonNode root = Json.read(dir.resolve("theory.json"));
        assertEquals(30, root.path("params").path("steps").asInt());
        assertEquals(-30.0, root.path("params").path("kq_r").asDouble());
        JsonNode traj = root.path("trajectory");
        assertEquals(31, traj.size());
        List<String> keys = new ArrayList<>();
        traj.get(0).fieldNames().forEachRemaining(keys::add);
        assertEquals(List.of("step", "mc_test", "grad_theta_c", "grad_theta_s", "att_c", "att_cs", "att_test",
                "loss_c", "loss_cs"), keys);
        int best = 0;
        for (int i = 0; i < traj.size(); i++) {
            assertEquals(i, traj.get(i).path("step").asInt());
            if (traj.get(i).path("mc_test").asDouble() > traj.get(best).path("mc_test").asDouble()) {
                best = i;
            }
        }
        assertEquals(best, root.path("peak").path("step").asInt());
        assertEquals(traj.get(best).path("mc_test").asDouble(), root.path("peak").path("mc_test").asDouble());
        assertFalse(root.path("provenance").path("cpi_version").asText().isEmpty());
        assertEquals(0, root.path("provenance").path("seed").asLong());
    }

    @Test
    void undefinedMetricsAreNullNotNaN() {
        runCapturing("theory", "--steps", "2", "--cs-points", "0", "--train", "kq+v", "--out", dir.toString());
        JsonNode row = Json.read(dir.resolve("theory.json")).path("trajectory").get(1);
        assertTrue(row.path("att_cs").isNull());
        assertTrue(row.path("loss_cs").isNull());
        assertTrue(row.path("att_c").isNumber());
    }

    @Test
    void gridWritesOneCellPerCombination() {
        runCapturing("theory", "--grid", "--steps", "15", "--out", dir.toString());
        JsonNode root = Json.read(dir.resolve("grid.json"));
        JsonNode cells = root.path("cells");
        assertEquals(48, cells.size());
        List<String> keys = new ArrayList<>();
        cells.get(0).fieldNames().forEachRemaining(keys::add);
        assertEquals(List.of("delta_c", "delta_m", "lr", "c_ratio", "peak_step", "peak_mc", "final_mc", "drop"), keys);
        for (JsonNode c : cells) {
            assertEquals(c.path("peak_mc").asDouble() - c.path("final_mc").asDouble(), c.path("drop").asDouble(), 1e-12);
            if (c.path("c_ratio").asDouble() == 1.0) {
                assertEquals(0.0, c.path("drop").asDouble(), 1e-9, "control cell without C+S points falls: " + c);
            }
        }
        assertEquals(4, root.path("params").path("grid").path("c_ratio").size());
    }

    @Test
    void badFlagsAreOneLineUserErrors() {
        assertEquals(2, Main.run("theory", "--subjects", "10"));
        assertEquals(2, Main.run("theory", "--train", "v"));
        assertEquals(2, Main.run("theory", "--delta-m", "1.5"));
    }
}
