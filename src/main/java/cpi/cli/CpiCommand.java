package cpi.cli;

import cpi.CpiVersion;
import picocli.CommandLine.Command;

/** The root command. Each subcommand is a thin layer over a library API in its domain package. */
@Command(name = "cpi",
        mixinStandardHelpOptions = true,
        version = "cpi " + CpiVersion.VERSION,
        description = "Study and fix context-parametric inversion: evaluate context reliance, finetune with a "
                + "trajectory, mitigate, explain with theory, report.",
        subcommands = {
            DemoCommand.class,
            WorldCommand.class,
            TheoryCommand.class,
            ReportCommand.class,
            TrajectoryCommand.class,
            FinetuneCommand.class,
            SweepCommand.class,
            GenerateCommand.class,
            ScoreCommand.class,
            InspectCommand.class,
            BenchCommand.class,
            EvalCommand.class,
            DataCommand.class,
            ExportConfigCommand.class,
            CompareCommand.class,
            picocli.CommandLine.HelpCommand.class,
        })
public final class CpiCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
