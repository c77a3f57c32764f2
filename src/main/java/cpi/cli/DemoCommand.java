package cpi.cli;

import cpi.demo.Demo;
import cpi.demo.DemoConfig;
import cpi.demo.Variant;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `cpi demo`: the synthetic-world demonstration of context-parametric inversion and its mitigations. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Show context-parametric inversion from scratch in a synthetic world (CPU, minutes):",
            "pretrain a small GPT-2- (or Llama-) family model on made-up facts (cached), instruction-finetune it and three "
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

    @Option(names = "--ift-lr", defaultValue = "0", description = "Override the peak finetuning learning rate (0 = default 5e-4).")
    double iftLr;

    @Option(names = "--eval-every", defaultValue = "0", description = "Override the evaluation period (0 = default).")
    int evalEvery;

    @Option(names = "--variants", split = ",", paramLabel = "NAME",
            description = "Finetune only these variants (default: all of baseline, filtered, augmented, qk_only).")
    List<String> variants = new ArrayList<>();

    @Option(names = "--family", paramLabel = "NAME",
            description = "Model family pretrained from scratch: gpt2 or llama (default: gpt2).",
            defaultValue = "")
    String family;

    @Option(names = "--world", paramLabel = "KEY=VALUE",
            description = "Override a world setting, e.g. --world sameRelationDistractor=0.75 (repeatable; names as in OUT/world/world.json).")
    Map<String, String> world = new LinkedHashMap<>();

    @Override
    public Integer call() {
        common.apply();
        DemoConfig cfg = DemoConfig.of(quick, seed).withSteps(pretrainSteps, iftSteps, evalEvery)
                .withWorldOverrides(world);
        if (iftLr != 0) {
            cfg = cfg.withIftLr(iftLr);
        }
        if (!family.isEmpty()) {
            cfg = cfg.withFamily(family);
        }
        Set<Variant> chosen = EnumSet.allOf(Variant.class);
        if (!variants.isEmpty()) {
            chosen = EnumSet.noneOf(Variant.class);
            for (String v : variants) {
                chosen.add(Variant.parse(v));
            }
        }
        Demo.Result r = new Demo(cfg, out, System.err, chosen).run();
        Demo.printTable(r, System.out);
        System.out.println("summary: " + out.resolve(Demo.SUMMARY));
        if (r.report() != null) {
            System.out.println("report:  " + r.report());
        }
        return 0;
    }
}
