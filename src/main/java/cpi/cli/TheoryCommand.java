package cpi.cli;

import cpi.report.HtmlReport;
import cpi.report.TheoryReport;
import cpi.theory.GridCell;
import cpi.theory.GridSpec;
import cpi.theory.GridSweep;
import cpi.theory.TheoryOutput;
import cpi.theory.TheoryParams;
import cpi.theory.TheorySimulator;
import cpi.theory.TheoryTable;
import cpi.theory.TrainMode;
import cpi.theory.Trajectory;
import cpi.util.Progress;
import cpi.util.UserError;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cpi theory}: the paper's one-layer attention model (§5) as a simulator. Defaults = digest §5.9. */
@Command(name = "theory", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Simulate the paper's one-layer attention theory (Section 5): gradient descent on W_KQ moves",
            "attention to the context, then back to the subject, so test M_C rises then falls.",
            "Defaults are the paper-faithful construction (see docs/theory.md)."})
public final class TheoryCommand implements Callable<Integer> {
    @Option(names = "--subjects", defaultValue = "40", description = "K_S, subject tokens (default: ${DEFAULT-VALUE})")
    int subjects;

    @Option(names = "--answers", defaultValue = "80", description = "K_A, context/answer tokens (default: ${DEFAULT-VALUE})")
    int answers;

    @Option(names = "--c-points", defaultValue = "10", description = "context-critical points D_C (default: ${DEFAULT-VALUE})")
    int cPoints;

    @Option(names = "--cs-points", defaultValue = "10", description = "non-context-critical points D_{C+S} (default: ${DEFAULT-VALUE})")
    int csPoints;

    @Option(names = "--s-points", defaultValue = "0", description = "memorised fact-recall points D_S [s, r] (default: ${DEFAULT-VALUE})")
    int sPoints;

    @Option(names = "--test-points", defaultValue = "10", description = "held-out counterfactual test items (default: ${DEFAULT-VALUE})")
    int testPoints;

    @Option(names = "--delta-c", defaultValue = "0.2", description = "δ_C = σ(v0(c))_c (default: ${DEFAULT-VALUE})")
    double deltaC;

    @Option(names = "--delta-m", defaultValue = "0.6", description = "δ_M = σ(v0(s))_a of memorised facts (default: ${DEFAULT-VALUE})")
    double deltaM;

    @Option(names = "--lr", defaultValue = "2", description = "learning rate η (full batch, mean loss) (default: ${DEFAULT-VALUE})")
    double lr;

    @Option(names = "--steps", defaultValue = "150", description = "gradient steps (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--kq-r", defaultValue = "-30", description = "W_KQ⁰ = kq_r·e_r e_rᵀ (σ_r ≈ e^kq_r) (default: ${DEFAULT-VALUE})")
    double kqR;

    @Option(names = "--train", defaultValue = "kq", description = "kq (W_V frozen) or kq+v (default: ${DEFAULT-VALUE})")
    String train;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "runs/theory",
            description = "write DIR/theory.json (or DIR/grid.json with --grid), its plots and an HTML report "
                    + "(default: ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--grid", description = "sweep δ_C × δ_M × lr × C:C+S ratio instead (see docs/theory.md)")
    boolean grid;

    @Option(names = "--seed", defaultValue = "0",
            description = "0 = canonical basis; else random orthonormal basis and token roles (same dynamics) (default: ${DEFAULT-VALUE})")
    long seed;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        TheoryParams params = new TheoryParams(subjects, answers, cPoints, csPoints, sPoints, 0, testPoints,
                deltaC, deltaM, lr, steps, kqR, TrainMode.parse(train), 0.0, 0.0, seed);
        return grid ? runGrid(params) : runSingle(params);
    }

    private int runSingle(TheoryParams params) {
        for (String w : params.assumptionWarnings()) {
            System.err.println("cpi theory: note: " + w);
        }
        Trajectory t = TheorySimulator.run(params);
        System.out.print(TheoryTable.trajectory(t, 10));
        System.out.println(TheoryTable.summary(t));
        if (out != null) {
            TheoryOutput.writeTrajectory(out, t);
            System.out.println("wrote " + out.resolve("theory.json"));
            writeReport();
        }
        return 0;
    }

    private int runGrid(TheoryParams base) {
        if (base.testPoints() < 1) {
            throw new UserError("--grid needs --test-points >= 1 (the grid reports test M_C)");
        }
        if (base.cPoints() + base.csPoints() < 1) {
            throw new UserError("--grid needs --c-points + --cs-points >= 1 (the grid varies their ratio)");
        }
        for (String flag : List.of("--delta-c", "--delta-m", "--lr", "--c-points", "--cs-points")) {
            if (spec.commandLine().getParseResult().hasMatchedOption(flag)) {
                System.err.println("cpi theory: note: --grid sweeps " + flag + "; the given value is ignored"
                        + (flag.endsWith("points") ? " (only c-points + cs-points, the total, is used)" : ""));
            }
        }
        GridSpec gridSpec = GridSpec.defaults();
        System.out.println(TheoryTable.gridHeader());
        long start = System.nanoTime();
        List<GridCell> cells;
        try (Progress progress = Progress.start("theory grid", gridSpec.size())) {
            cells = GridSweep.run(base, gridSpec, cell -> {
                System.out.println(TheoryTable.gridRow(cell));
                progress.step();
            });
        }
        System.out.printf("%d cells x %d steps in %.2f s%n", cells.size(), base.steps(), (System.nanoTime() - start) / 1e9);
        if (out != null) {
            TheoryOutput.writeGrid(out, base, gridSpec, cells);
            System.out.println("wrote " + out.resolve("grid.json"));
            writeReport();
        }
        return 0;
    }

    /** Plots next to the JSON, and the HTML report over this directory. */
    private void writeReport() {
        for (Path chart : TheoryReport.write(out)) {
            System.out.println("wrote " + chart);
        }
        System.out.println("report: " + HtmlReport.write(List.of(out), out.resolve("report")));
    }
}
