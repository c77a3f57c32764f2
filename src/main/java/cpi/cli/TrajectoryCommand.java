package cpi.cli;

import cpi.experiment.TrajectoryAnalysis;
import cpi.report.Flips;
import cpi.report.TextTable;
import cpi.util.Json;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cpi trajectory RUN}: the analysis of a run's context-reliance trajectory. */
@Command(name = "trajectory", mixinStandardHelpOptions = true,
        description = {"Analyse a run directory's trajectory: per conflict dataset the counterfactual accuracy at the "
                + "start, its peak and step, the final value, the drop, whether it is an inversion (rise then fall "
                + "beyond the CIs), and the items that flipped from the context answer to the parametric one between "
                + "the peak and the end. Writes RUN/analysis.json."})
public final class TrajectoryCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "RUN_DIR", description = "Run directory (cpi finetune --out or cpi sweep --into).")
    Path run;

    @Option(names = "--flips", defaultValue = "10", description = "Flipped items to list per dataset (default: ${DEFAULT-VALUE}).")
    int flips;

    @Option(names = "--json", description = "Print analysis.json instead of tables.")
    boolean json;

    @Override
    public Integer call() {
        TrajectoryAnalysis.Result r = TrajectoryAnalysis.write(run);
        if (json) {
            System.out.println(Json.writePretty(r.toJson()));
            return 0;
        }
        TextTable t = new TextTable("dataset", "points", "start", "peak", "peak step", "final", "drop", "inversion",
                "par@peak", "par final", "cap@peak", "cap final").decimals(3);
        r.datasets().forEach((ds, a) -> t.row(ds, a.points(), a.start(), a.peak(), a.peakStep(), a.finalValue(),
                a.drop(), a.inversion() == null ? "unknown" : a.inversion() ? "yes" : "no", a.parametricAtPeak(),
                a.parametricFinal(), a.capabilityAtPeak(), a.capabilityFinal()));
        if (t.size() == 0) {
            System.out.println(run + ": no counterfactual accuracy in the trajectory yet (evaluate with --eval-datasets, "
                    + "or cpi sweep --into " + run + ")");
        } else {
            t.print(System.out);
        }
        if (Double.isFinite(r.trainLossFinal())) {
            System.out.printf(Locale.ROOT, "final training loss: %.4f%n", r.trainLossFinal());
        }
        if (Double.isFinite(r.capabilityStart())) {
            System.out.printf(Locale.ROOT, "capability: %.3f -> %.3f%n", r.capabilityStart(), r.capabilityFinal());
        }
        r.datasets().forEach((ds, a) -> {
            Flips.FlipSet f = a.flips();
            if (f == null) {
                return;
            }
            System.out.printf(Locale.ROOT, "%n%s: %d of %d items moved context -> parametric between step %d and %d "
                    + "(%d moved back)%n", ds, f.toParametric().size(), f.compared(), f.peakStep(), f.finalStep(),
                    f.toContext());
            TextTable ft = new TextTable("id", "context answer", "parametric answer", "output at peak", "final output")
                    .maxWidth(40);
            f.toParametric().stream().limit(flips).forEach(x -> ft.row(x.id(), x.counterfactualAnswer(),
                    x.parametricAnswer(), x.peakOutput().strip(), x.finalOutput().strip()));
            if (ft.size() > 0) {
                ft.print(System.out);
            }
        });
        System.out.println("analysis: " + run.resolve(TrajectoryAnalysis.FILE_NAME).toAbsolutePath().normalize());
        return 0;
    }
}
