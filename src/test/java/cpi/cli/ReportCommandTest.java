package cpi.cli;

import static cpi.cli.CliRun.cpi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cpi.cli.CliRun.Output;
import cpi.experiment.TrajectoryRecord;
import cpi.experiment.TrajectoryStore;
import cpi.report.ReportInputs;
import cpi.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportCommandTest {
    /** A small run: counterfactual accuracy 0.3 → 0.7 → 0.4 with CIs, on one dataset. */
    static Path run(Path dir, String name) {
        List<TrajectoryRecord> rs = new ArrayList<>();
        double[] cf = {0.3, 0.7, 0.4};
        for (int i = 0; i < cf.length; i++) {
            rs.add(new TrajectoryRecord(i * 100L, "cf_capitals", "counterfactual_accuracy", cf[i], cf[i] - 0.05,
                    cf[i] + 0.05, 100));
            rs.add(TrajectoryRecord.of(i * 100L, "_capability", "capability", 0.3 + 0.1 * i));
        }
        new TrajectoryStore(dir).append(rs);
        Json.writeFile(dir.resolve("run.json"), Json.object().put("name", name).put("kind", "finetune"));
        return dir;
    }

    @Test
    void writesTheReportAndPrintsTheSummaryAndItsPath(@TempDir Path tmp) {
        Path a = run(tmp.resolve("a"), "baseline");
        Path report = tmp.resolve("report");
        Output o = cpi("report", a.toString(), "--out", report.toString(), "--quiet");
        assertEquals(0, o.code(), o.err());
        assertTrue(Files.isRegularFile(report.resolve("index.html")));
        assertTrue(o.out().contains("baseline  cf_capitals  0.300  0.700   100  0.400  0.300  yes"), o.out());
        assertTrue(o.out().strip().endsWith("report: " + report.resolve("index.html").toAbsolutePath().normalize()));
        assertFalse(o.err().contains("report: charts"), "--quiet silences progress: " + o.err());
    }

    @Test
    void oneInputDefaultsToItsReportSubdirectory(@TempDir Path tmp) {
        Path a = run(tmp.resolve("a"), "solo");
        Output o = cpi("report", a.toString(), "-q");
        assertEquals(0, o.code(), o.err());
        assertTrue(Files.isRegularFile(a.resolve("report/index.html")));
    }

    @Test
    void badInputsAreOneLineErrors(@TempDir Path tmp) throws Exception {
        Output missing = cpi("report", tmp.resolve("nope").toString(), "--out", tmp.resolve("r").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().startsWith("cpi: error: ") && missing.err().strip().lines().count() == 1,
                missing.err());
        Files.createDirectories(tmp.resolve("empty"));
        Output empty = cpi("report", tmp.resolve("empty").toString(), "--out", tmp.resolve("r").toString());
        assertEquals(2, empty.code());
        assertTrue(empty.err().contains("not a run directory"), empty.err());
        Output two = cpi("report", run(tmp.resolve("x"), "x").toString(), run(tmp.resolve("y"), "y").toString());
        assertEquals(2, two.code());
        assertTrue(two.err().contains("--out is required"), two.err());
    }

    @Test
    void aDirectoryOfRunsStandsForItsRuns(@TempDir Path tmp) {
        run(tmp.resolve("demo/baseline"), "baseline");
        run(tmp.resolve("demo/qk_only"), "qk_only");
        ReportInputs in = ReportInputs.resolve(List.of(tmp.resolve("demo")));
        assertEquals(List.of("baseline", "qk_only"), in.runs().stream().map(r -> r.name()).toList());
    }
}
