package cpi.cli;

import cpi.experiment.Sweep;
import cpi.experiment.TrajectoryAnalysis;
import cpi.report.HtmlReport;
import cpi.report.ReportInputs;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cpi sweep}: evaluate existing checkpoint directories into a run's trajectory. */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = {"Evaluate existing checkpoint directories (cpi's, or HF checkpoints from another trainer) on "
                + "conflict datasets into a run directory's trajectory, one point per checkpoint at the step number in "
                + "its name. Records weight fingerprints and warns when two checkpoints have identical weights.",
            "Re-running skips checkpoints already evaluated (use --force to redo them)."})
public final class SweepCommand implements Callable<Integer> {
    @Option(names = "--checkpoints", required = true, arity = "1..*", paramLabel = "DIR|GLOB",
            description = "Checkpoint directories or globs, e.g. 'runs/a/checkpoints/step-*' or 'out/checkpoint-*'.")
    List<String> checkpoints;

    @Option(names = {"--dataset", "--datasets"}, required = true, split = ",", paramLabel = "NAME|FILE",
            description = "Conflict datasets, e.g. cf_world_facts.")
    List<String> datasets;

    @Option(names = "--into", required = true, paramLabel = "RUN_DIR", description = "Run directory to add the points to.")
    Path into;

    @Option(names = "--template", defaultValue = "alpaca", description = "Prompt template (default: ${DEFAULT-VALUE}).")
    String template;

    @Option(names = "--scorer", defaultValue = "logprob", description = "Scorer (default: ${DEFAULT-VALUE}).")
    String scorer;

    @Option(names = "--limit", defaultValue = "0", description = "Items per dataset, 0 = all.")
    int limit;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Where named datasets live.")
    Path dataDir;

    @Option(names = "--attention-items", defaultValue = "32", description = "Prompts for the attention diagnostic, 0 = off (default: ${DEFAULT-VALUE}).")
    int attentionItems;

    @Option(names = "--tokenizer", paramLabel = "PATH", description = "Tokenizer for checkpoints that lack tokenizer.json.")
    Path tokenizer;

    @Option(names = "--force", description = "Re-evaluate checkpoints that already have points.")
    boolean force;

    @Option(names = "--no-report", description = "Skip writing RUN_DIR/report/index.html.")
    boolean noReport;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() {
        common.apply();
        Sweep.Result r = Sweep.run(new Sweep.Config(checkpoints, datasets, template, scorer, limit, dataDir, into,
                attentionItems, tokenizer, force), new Sweep.Listener() {
                    @Override
                    public void onCheckpoint(Sweep.Entry e, int index, int total) {
                        if (!common.quiet()) {
                            System.err.printf(Locale.ROOT, "sweep: %d/%d step %d %s%n", index + 1, total, e.step(),
                                    e.dir());
                        }
                    }
                });
        for (Sweep.Entry e : r.checkpoints()) {
            System.out.printf(Locale.ROOT, "step %d  %s  %s%s%n", e.step(), e.fingerprint(), e.dir(),
                    e.duplicate() ? "  (identical weights to an earlier checkpoint)" : "");
        }
        r.analysis().datasets().forEach((ds, a) -> System.out.printf(Locale.ROOT,
                "%s: counterfactual accuracy start %.3f, peak %.3f at step %d, final %.3f, drop %.3f%n", ds, a.start(),
                a.peak(), a.peakStep(), a.finalValue(), a.drop()));
        System.out.println("run: " + into.toAbsolutePath().normalize() + " (cpi trajectory " + into + ")");
        if (!noReport) {
            // The sweep's results are already on disk: a failed report is a warning, not a failed sweep.
            try {
                Path index = HtmlReport.write(ReportInputs.resolve(List.of(into)), into.resolve("report"));
                System.out.println("report: " + index.toAbsolutePath().normalize());
            } catch (RuntimeException e) {
                System.err.println("cpi: warning: could not write the HTML report (" + e.getMessage()
                        + "); run `cpi report " + into + "` to retry");
            }
        }
        return 0;
    }
}
