package cpi.cli;

import cpi.mitigate.AxolotlConfig;
import cpi.mitigate.MixtureExport;
import cpi.util.AtomicFiles;
import cpi.util.UserError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cpi export-config}: the same run as a config for a distributed trainer. */
@Command(name = "export-config", mixinStandardHelpOptions = true,
        description = {"Write a trainer config (axolotl YAML) for a run too big for one machine: full, LoRA or "
                + "QK-only finetuning on a mixture from cpi data export.",
            "QK-only uses unfrozen_parameters with the family's Hugging Face names; families with a fused QKV "
                + "matrix (gpt_neox, gpt2) cannot express it and fall back to the whole QKV, with a warning.",
            "Bring the trainer's checkpoints back with cpi sweep."})
public final class ExportConfigCommand implements Callable<Integer> {
    @Option(names = "--trainer", defaultValue = "axolotl", description = "Trainer (only axolotl for now).")
    String trainer;

    @Option(names = "--model", required = true, paramLabel = "PATH|ID",
            description = "Base model: a local HF directory (family read from config.json) or a hub id (then --family).")
    String model;

    @Option(names = "--family", paramLabel = "NAME", description = "llama, mistral, gpt_neox or gpt2 (default: from config.json).")
    String family;

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "Training data from cpi data export.")
    Path data;

    @Option(names = "--data-format", paramLabel = "FORMAT",
            description = "alpaca or messages (default: messages for .jsonl, else alpaca).")
    String dataFormat;

    @Option(names = "--mode", defaultValue = "full", description = "full, lora or qk (default ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = "--lr", defaultValue = "2e-5", description = "Peak learning rate (default ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--epochs", defaultValue = "1", description = "Epochs, unless --max-steps is set.")
    int epochs;

    @Option(names = "--max-steps", defaultValue = "0", description = "Optimizer steps (overrides --epochs when > 0).")
    int maxSteps;

    @Option(names = "--save-steps", defaultValue = "100", description = "Checkpoint every N steps (a trajectory point each).")
    int saveSteps;

    @Option(names = "--micro-batch-size", defaultValue = "4") int microBatch;

    @Option(names = "--grad-accum", defaultValue = "8") int gradAccum;

    @Option(names = "--seq-len", defaultValue = "1024") int seqLen;

    @Option(names = "--warmup-steps", defaultValue = "20") int warmup;

    @Option(names = "--lora-r", defaultValue = "16") int loraR;

    @Option(names = "--lora-alpha", defaultValue = "32") int loraAlpha;

    @Option(names = "--lora-dropout", defaultValue = "0.05") double loraDropout;

    @Option(names = "--seed", defaultValue = "0") long seed;

    @Option(names = "--output-dir", defaultValue = "./outputs/cpi-run", description = "The trainer's output directory.")
    String outputDir;

    @Option(names = "--out", paramLabel = "FILE", description = "Where to write the YAML (default: stdout).")
    Path out;

    @Override
    public Integer call() {
        if (!trainer.equalsIgnoreCase("axolotl")) {
            throw new UserError("--trainer: only 'axolotl' is supported, got '" + trainer + "'");
        }
        AxolotlConfig.Family fam;
        if (family != null) {
            fam = AxolotlConfig.parseFamily(family);
        } else if (Files.isDirectory(Path.of(model))) {
            fam = AxolotlConfig.detectFamily(Path.of(model));
        } else {
            throw new UserError("--model " + model + " is not a local directory; pass --family llama|mistral|gpt_neox|gpt2");
        }
        AxolotlConfig.Mode m;
        try {
            m = AxolotlConfig.Mode.valueOf(mode.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UserError("--mode must be full, lora or qk, got '" + mode + "'");
        }
        MixtureExport.Format fmt = dataFormat != null ? MixtureExport.Format.parse(dataFormat)
                : data.getFileName().toString().endsWith(".jsonl") ? MixtureExport.Format.MESSAGES
                : MixtureExport.Format.ALPACA;
        AxolotlConfig.Result r = AxolotlConfig.build(new AxolotlConfig.Spec(model, fam, data, fmt, m, lr, epochs,
                maxSteps, saveSteps, microBatch, gradAccum, seqLen, warmup, loraR, loraAlpha, loraDropout, seed,
                outputDir));
        for (String w : r.warnings()) {
            System.err.println("warning: " + w);
        }
        if (out == null) {
            System.out.print(r.yaml());
        } else {
            AtomicFiles.writeString(out, r.yaml());
            System.out.println("axolotl config: " + out.toAbsolutePath().normalize());
        }
        return 0;
    }
}
