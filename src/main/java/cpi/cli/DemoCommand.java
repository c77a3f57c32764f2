package cpi.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder until the synthetic-world demo lands: says what the demo will do. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Show context-parametric inversion from scratch in a synthetic world (CPU, minutes).")
public final class DemoCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.out.println("cpi demo: pretrain a ~1M-parameter model on a synthetic world, instruction-finetune it, "
                + "and plot counterfactual accuracy rising then falling (not built yet).");
        return 0;
    }
}
