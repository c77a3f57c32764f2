package cpi.cli;

import cpi.mitigate.AxolotlConfig;
import cpi.mitigate.MixtureExport;
import cpi.mitigate.RunSettings;
import cpi.util.AtomicFiles;
import cpi.util.UserError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
            "--run RUN_DIR takes model, data, mode, lr, steps, save period, batch, LoRA settings and seed from a cpi "
                + "run's run.json; flags given override it. Bring the trainer's checkpoints back with cpi sweep."})
public final class ExportConfigCommand implements Callable<Integer> {
    @Option(names = "--trainer", defaultValue = "axolotl", description = "Trainer (only axolotl for now).")
    String trainer;

    @Option(names = "--run", paramLabel = "RUN_DIR", description = "A cpi finetune run whose settings to reuse.")
    Path run;

    @Option(names = "--model", paramLabel = "PATH|ID",
            description = "Base model: a local HF directory (family read from config.json) or a hub id (then --family).")
    String model;

    @Option(names = "--family", paramLabel = "NAME", description = "llama, mistral, gpt_neox or gpt2 (default: from config.json).")
    String family;

    @Option(names = "--data", paramLabel = "FILE", description = "Training data from cpi data export.")
    Path data;

    @Option(names = "--data-format", paramLabel = "FORMAT",
            description = "alpaca or messages (default: messages for .jsonl, else alpaca).")
    String dataFormat;

    @Option(names = {"--mode", "--train"}, paramLabel = "MODE", description = "full, lora or qk (default full).")
    String mode;

    @Option(names = "--lr", description = "Peak learning rate (default 2e-5).")
    Double lr;

    @Option(names = "--epochs", description = "Epochs, unless --max-steps is set (default 1).")
    Double epochs;

    @Option(names = "--max-steps", description = "Optimizer steps (overrides --epochs when > 0).")
    Long maxSteps;

    @Option(names = "--save-steps", description = "Checkpoint every N steps, a trajectory point each (default 100).")
    Integer saveSteps;

    @Option(names = "--micro-batch-size", description = "Examples per device step (default 4).")
    Integer microBatch;

    @Option(names = "--grad-accum", description = "Micro-batches per optimizer step (default: batch size / micro-batch, else 8).")
    Integer gradAccum;

    @Option(names = "--seq-len", description = "Max sequence length (default 1024).")
    Integer seqLen;

    @Option(names = "--warmup-steps", description = "Warmup steps (default 20, or the run's warmup ratio).")
    Integer warmup;

    @Option(names = "--lora-r", description = "LoRA rank (default 16).")
    Integer loraR;

    @Option(names = "--lora-alpha", description = "LoRA alpha (default 32).")
    Integer loraAlpha;

    @Option(names = "--lora-dropout", description = "LoRA dropout (default 0.05).")
    Double loraDropout;

    @Option(names = "--seed", description = "Seed (default 0).")
    Long seed;

    @Option(names = "--output-dir", defaultValue = "./outputs/cpi-run", description = "The trainer's output directory.")
    String outputDir;

    @Option(names = "--out", paramLabel = "FILE", description = "Where to write the YAML (default: stdout).")
    Path out;

    @Override
    public Integer call() {
        if (!trainer.equalsIgnoreCase("axolotl")) {
            throw new UserError("--trainer: only 'axolotl' is supported, got '" + trainer + "'");
        }
        RunSettings rs = run == null ? new RunSettings(null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null) : RunSettings.read(run);
        String m0 = pick(model, rs.model(), null);
        if (m0 == null) {
            throw new UserError("--model is required (or --run RUN_DIR whose run.json names the model)");
        }
        Path d0 = data != null ? data : rs.data() != null ? Path.of(rs.data()) : null;
        if (d0 == null) {
            throw new UserError("--data is required (the file from cpi data export)");
        }
        AxolotlConfig.Family fam;
        if (family != null) {
            fam = AxolotlConfig.parseFamily(family);
        } else if (Files.isDirectory(Path.of(m0))) {
            fam = AxolotlConfig.detectFamily(Path.of(m0));
        } else {
            throw new UserError("--model " + m0 + " is not a local directory; pass --family llama|mistral|gpt_neox|gpt2");
        }
        String modeName = pick(mode, rs.mode(), "full");
        AxolotlConfig.Mode m;
        try {
            m = AxolotlConfig.Mode.valueOf(modeName.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UserError("--mode must be full, lora or qk, got '" + modeName + "'");
        }
        MixtureExport.Format fmt = dataFormat != null ? MixtureExport.Format.parse(dataFormat)
                : d0.getFileName().toString().endsWith(".jsonl") ? MixtureExport.Format.MESSAGES
                : MixtureExport.Format.ALPACA;
        int micro = pick(microBatch, null, 4);
        int accum = gradAccum != null ? gradAccum
                : rs.batchSize() != null ? Math.max(1, (rs.batchSize() + micro - 1) / micro) : 8;
        long steps = pick(maxSteps, rs.maxSteps(), 0L);
        int warm = warmup != null ? warmup
                : rs.warmupRatio() != null && steps > 0 ? (int) Math.round(rs.warmupRatio() * steps) : 20;
        double ep = pick(epochs, rs.epochs(), 1.0);
        AxolotlConfig.Spec spec = new AxolotlConfig.Spec(m0, fam, d0, fmt, m, pick(lr, rs.lr(), 2e-5),
                (int) Math.max(1, Math.ceil(ep)), (int) steps, pick(saveSteps, rs.saveEvery(), 100), micro, accum,
                pick(seqLen, rs.maxSeqLen(), 1024), warm, pick(loraR, rs.loraRank(), 16),
                pick(loraAlpha, rs.loraAlpha() == null ? null : (int) Math.round(rs.loraAlpha()), 32),
                pick(loraDropout, rs.loraDropout(), 0.05), pick(seed, rs.seed(), 0L), outputDir);
        List<String> targets = m == AxolotlConfig.Mode.LORA ? rs.loraTargets() : null;
        AxolotlConfig.Result r = AxolotlConfig.build(spec, targets);
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

    private static <T> T pick(T flag, T fromRun, T dflt) {
        return flag != null ? flag : fromRun != null ? fromRun : dflt;
    }
}
