package cpi.cli;

import cpi.world.World;
import cpi.world.WorldConfig;
import cpi.world.WorldFiles;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `cpi world generate`: writes a synthetic world as ordinary cpi files. */
@Command(name = "world", mixinStandardHelpOptions = true,
        description = "Synthetic knowledge worlds (the demo's data) as ordinary cpi files.",
        subcommands = {WorldCommand.Generate.class})
public final class WorldCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "generate", mixinStandardHelpOptions = true,
            description = "Generate a seeded world: tokenizer.json, pretrain.jsonl, ift.jsonl (kind, "
                    + "closed_book_prompt), ift_counterfactual.jsonl, eval_counterfactual.jsonl (conflict schema), "
                    + "eval_capability.jsonl, pretrain_probes.jsonl, world.json. Same seed, same bytes.")
    static final class Generate implements Callable<Integer> {
        @Option(names = "--out", defaultValue = "runs/world", description = "Output directory (default ${DEFAULT-VALUE}).")
        Path out;
        @Option(names = "--seed", defaultValue = "0", description = "Seed (default ${DEFAULT-VALUE}).")
        long seed;
        @Option(names = "--ift-examples", description = "IFT examples (default: the demo's).")
        Integer iftExamples;
        @Option(names = "--context-critical", description = "Share of context-critical IFT examples (default 0.3).")
        Double contextCritical;
        @Option(names = "--closed-book", description = "Share of closed-book IFT examples (default: the demo's, 0.2).")
        Double closedBook;
        @Option(names = "--pretrain-docs", description = "Pretraining documents (default: the demo's).")
        Integer pretrainDocs;
        @Option(names = "--world", paramLabel = "KEY=VALUE",
                description = "Override any other world setting, e.g. --world knownFactTemplates=8 (repeatable; names as in world.json).")
        Map<String, String> overrides = new LinkedHashMap<>();

        @Override
        public Integer call() {
            WorldConfig d = WorldConfig.defaults(seed);
            WorldConfig cfg = d.withMixture(iftExamples == null ? d.iftExamples() : iftExamples,
                    contextCritical == null ? d.contextCriticalFraction() : contextCritical,
                    closedBook == null ? d.closedBookFraction() : closedBook);
            if (pretrainDocs != null) {
                cfg = cfg.withPretrainDocs(pretrainDocs);
            }
            cfg = cfg.withOverrides(overrides);
            World world = World.generate(cfg);
            Map<String, Path> files = WorldFiles.write(world, out);
            System.out.printf("world (seed %d): %d known subjects (%d held out), %d unknown (%d held out), "
                            + "%d relations, vocabulary %d%n", seed, world.knownSubjects().size(),
                    world.knownEvalSubjects().size(), world.unknownSubjects().size(),
                    world.unknownEvalSubjects().size(), world.relations().size(), world.vocabulary().size());
            files.forEach((name, path) -> System.out.println("  " + path));
            return 0;
        }
    }
}
