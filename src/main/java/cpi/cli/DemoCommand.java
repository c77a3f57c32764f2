package cpi.cli;

import cpi.demo.Demo;
import cpi.demo.DemoConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `cpi demo`: the synthetic-world demonstration of context-parametric inversion and its mitigations. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Show context-parametric inversion from scratch in a synthetic world (CPU, minutes):",
            "pretrain a small GPT-2-family model on made-up facts (cached), instruction-finetune it and three "
                    + "mitigations (context-critical filtering, counterfactual augmentation, QK-only), then write "
                    + "OUT/summary.json, OUT/report/index.html and print a table."})
public final class DemoCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--quick", description = "Shorter finetuning (300 steps per variant, evaluated every 30); the pretrained model is the full mode's, so it is shared through the cache (timings in docs/demo.md).")
    boolean quick;

    @Option(names = "--seed", defaultValue = "0", description = "World, model and data-order seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", defaultValue = "runs/demo", description = "Output directory (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--pretrain-steps", defaultValue = "0", description = "Override pretraining steps (0 = the mode's default).")
    int pretrainSteps;

    @Option(names = "--ift-steps", defaultValue = "0", description = "Override finetuning steps per variant (0 = default).")
    int iftSteps;

    @Option(names = "--eval-every", defaultValue = "0", description = "Override the evaluation period (0 = default).")
    int evalEvery;

    @Override
    public Integer call() {
        common.apply();
        DemoConfig cfg = DemoConfig.of(quick, seed).withSteps(pretrainSteps, iftSteps, evalEvery);
        Demo.Result r = new Demo(cfg, out, System.err).run();
        Demo.printTable(r, System.out);
        System.out.println("summary: " + out.resolve(Demo.SUMMARY));
        if (r.report() != null) {
            System.out.println("report:  " + r.report());
        }
        return 0;
    }
}
