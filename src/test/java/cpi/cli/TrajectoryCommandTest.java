package cpi.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cpi.experiment.TrajectoryRecord;
import cpi.experiment.TrajectoryStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrajectoryCommandTest {
    @TempDir
    Path run;

    @Test
    void printsPeakFinalDropAndInversion() throws Exception {
        List<TrajectoryRecord> rs = new ArrayList<>();
        double[] cf = {0.3, 0.8, 0.5};
        for (int i = 0; i < cf.length; i++) {
            rs.add(new TrajectoryRecord(i * 50L, "cf_world_facts", "counterfactual_accuracy", cf[i], cf[i] - 0.05,
                    cf[i] + 0.05, 300));
        }
        new TrajectoryStore(run).append(rs);
        CliRun.Output o = CliRun.cpi("trajectory", run.toString());
        String text = o.out();
        assertEquals(0, o.code(), text);
        assertTrue(text.contains("cf_world_facts"), text);
        assertTrue(text.contains("0.800"), text);
        assertTrue(text.contains("yes"), text);
        assertTrue(Files.exists(run.resolve("analysis.json")));
    }

    @Test
    void missingRunIsAOneLineError() {
        assertEquals(2, Main.run("trajectory", run.resolve("nope").toString()));
    }
}
