package cpi.report;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Manual look at charts: writes them to target/scratch. Not a test. */
final class ScratchRender {
    public static void main(String[] a) throws Exception {
        Path root = Path.of("target/scratch");
        Files.createDirectories(root);
        RunData base = RunData.load(SyntheticRuns.run(Files.createTempDirectory("run"), "baseline", 1.0));
        RunData filt = RunData.load(SyntheticRuns.run(Files.createTempDirectory("run"), "filtered", 0.2));
        TrajectoryCharts.accuracy(base, TrajectoryCharts.XAxis.STEP).write(root, "acc");
        TrajectoryCharts.accuracy(base, TrajectoryCharts.XAxis.CAPABILITY).write(root, "acccap");
        TrajectoryCharts.attention(base).write(root, "att");
        TrajectoryCharts.training(base).write(root, "train");
        Charts.overlay(List.of(base, filt)).write(root, "overlay");
        Charts.filterHistogram(List.of(1.0, 2.0, 2.5, 3.0, 3.1, 4.0, 5.0, 6.0, 6.5), List.of(0.1, 0.3, 0.5, 0.7, 0.9),
                0.95).write(root, "hist");
        Path th = SyntheticRuns.theory(Files.createTempDirectory("theory"), true);
        for (Path p : TheoryReport.write(th)) {
            Files.copy(p, root.resolve(p.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
