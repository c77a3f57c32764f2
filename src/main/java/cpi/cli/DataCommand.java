package cpi.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code cpi data}: dataset tools (validate; filter, augment and export come from other packages). */
@Command(name = "data", mixinStandardHelpOptions = true,
        description = "Dataset tools: check, filter, augment and export knowledge-conflict and IFT data.",
        subcommands = {
            DataValidateCommand.class,
            DataFilterCommand.class,
            DataAugmentCommand.class,
            DataExportCommand.class,
        })
public final class DataCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
