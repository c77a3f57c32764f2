package cpi.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import cpi.experiment.Provenance;
import cpi.mitigate.ContextQaFiles;
import cpi.mitigate.ContextQaItem;
import cpi.mitigate.CounterfactualAugmenter;
import cpi.mitigate.EvalOverlap;
import cpi.train.IftExample;
import cpi.mitigate.MitigationData;
import cpi.util.Hashing;
import cpi.util.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cpi data augment}: mix counterfactual context-QA examples into an IFT mixture. */
@Command(name = "augment", mixinStandardHelpOptions = true,
        description = {"Add counterfactual examples (context contradicts a fact, target = the context's answer; "
                + "paper §6.1) to an instruction-finetuning mixture.",
            "--from is SQuAD-style context-QA (each answer is replaced in its context by another answer of the same "
                + "type: number, year, date, capitalised name) or a cpi conflict-schema file (used as is).",
            "Items matching an --eval item (normalised question + context) are refused and counted."})
public final class DataAugmentCommand implements Callable<Integer> {
    @Option(names = "--data", required = true, paramLabel = "FILE", description = "The mixture to augment.")
    Path data;

    @Option(names = "--from", required = true, paramLabel = "SOURCE",
            description = "Context-QA (SQuAD JSON, or JSON/JSONL rows with question, context, answer(s)) or a "
                    + "conflict-schema file (answer + memory_answer / counterfactual_answer + parametric_answer).")
    Path from;

    @Option(names = "--fraction", paramLabel = "F", defaultValue = "0.10",
            description = "Examples added, as a fraction of the mixture's size (default ${DEFAULT-VALUE}).")
    double fraction;

    @Option(names = "--eval", paramLabel = "FILE", split = ",",
            description = "Evaluation files (conflict schema or context-QA) the added items must not overlap. Repeatable.")
    List<Path> eval = new ArrayList<>();

    @Option(names = "--seed", defaultValue = "0", description = "Which items and replacement answers are drawn.")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "FILE",
            description = "The mixture with the added examples spread evenly through it (kind = counterfactual).")
    Path out;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() {
        common.apply();
        List<IftExample> examples = MitigationData.read(data);
        List<ContextQaItem> source = ContextQaFiles.read(from);
        EvalOverlap overlap = EvalOverlap.of(eval);
        if (eval.isEmpty()) {
            System.err.println("warning: no --eval files given, so overlap with evaluation items was not checked");
        }
        CounterfactualAugmenter.Result r = new CounterfactualAugmenter(
                new CounterfactualAugmenter.Options(fraction, seed)).augment(examples, source, overlap);
        MitigationData.write(out, r.mixture());
        ObjectNode report = Json.object();
        report.put("data", examples.size());
        report.put("source_items", source.size());
        report.put("requested", r.requested());
        report.put("added", r.augmented().size());
        report.put("excluded_eval_overlap", r.excludedOverlap());
        report.put("eval_items_checked", overlap.size());
        report.set("by_type", Json.MAPPER.valueToTree(r.byType()));
        report.set("skipped", Json.MAPPER.valueToTree(r.skipped()));
        report.put("mixture", r.mixture().size());
        ObjectNode config = Json.object().put("data", data.toString()).put("from", from.toString())
                .put("fraction", fraction).put("seed", seed);
        config.set("eval", Json.MAPPER.valueToTree(eval.stream().map(Path::toString).toList()));
        Map<String, String> hashes = new LinkedHashMap<>();
        hashes.put(data.getFileName().toString(), "sha256:" + Hashing.sha256(data));
        hashes.put(from.getFileName().toString(), "sha256:" + Hashing.sha256(from));
        report.set("provenance", Provenance.of(null, hashes, null, seed, config).toJson());
        Path reportFile = DataFilterCommand.defaultReportDir(out).resolve("augment-report.json");
        Json.writeFile(reportFile, report);
        System.out.printf("added %d counterfactual examples (asked %d) to %d: %s%n", r.augmented().size(),
                r.requested(), examples.size(), r.byType());
        System.out.printf("excluded %d source items overlapping %d evaluation items%n", r.excludedOverlap(),
                overlap.size());
        if (!r.skipped().isEmpty()) {
            System.out.println("skipped: " + r.skipped());
        }
        if (r.augmented().size() < r.requested()) {
            System.err.printf("warning: the source gave only %d usable items of the %d asked for%n",
                    r.augmented().size(), r.requested());
        }
        System.out.println("mixture: " + out.toAbsolutePath().normalize() + " (" + r.mixture().size() + " examples)");
        System.out.println("report: " + reportFile.toAbsolutePath().normalize());
        return 0;
    }
}
