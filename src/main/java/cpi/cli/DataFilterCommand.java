package cpi.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import cpi.experiment.Provenance;
import cpi.mitigate.ExampleSelector;
import cpi.mitigate.FilterReport;
import cpi.mitigate.FilterResult;
import cpi.mitigate.HasContextSelector;
import cpi.train.IftExample;
import cpi.mitigate.KeywordSelector;
import cpi.mitigate.MitigationData;
import cpi.mitigate.NoContextLossFilter;
import cpi.mitigate.ScoringModel;
import cpi.eval.Templates;
import cpi.model.Tokenizer;
import cpi.util.Djl;
import cpi.util.Hashing;
import cpi.util.Json;
import cpi.util.UserError;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cpi data filter}: drop examples from an IFT mixture by no-context loss, keyword or missing context. */
@Command(name = "filter", mixinStandardHelpOptions = true,
        description = {"Select a subset of an instruction-finetuning mixture (a CPI mitigation) and write the kept "
                + "examples plus a report (counts, examples of dropped and kept, score histogram).",
            "  --by no-context-loss  drop the --drop-fraction examples whose response the base --model predicts best "
                + "WITHOUT their input (non-context-critical; paper §4.4)",
            "  --by keyword          drop examples mentioning any --keywords entry (whole word, any case; §4.1)",
            "  --by has-context      keep only examples with a non-empty input (§4.2)"})
public final class DataFilterCommand implements Callable<Integer> {
    /** How --model is opened; tests swap in a fake. */
    static Function<Path, ScoringModel> modelOpener = ScoringModel::open;

    enum By { NO_CONTEXT_LOSS, KEYWORD, HAS_CONTEXT }

    @Option(names = "--data", required = true, paramLabel = "FILE",
            description = "Mixture: Alpaca JSON array or JSONL ({instruction, input, output} or chat messages).")
    Path data;

    @Option(names = "--by", required = true, paramLabel = "SELECTOR",
            description = "no-context-loss, keyword or has-context.", converter = ByConverter.class)
    By by;

    @Option(names = "--out", required = true, paramLabel = "FILE",
            description = "Kept examples (.jsonl: one a line; else a JSON array). Extra fields kind, "
                    + "closed_book_prompt are kept.")
    Path out;

    @Option(names = "--report", paramLabel = "DIR", description = "Report directory (default: OUT minus extension + '.report').")
    Path report;

    @Option(names = "--model", paramLabel = "PATH", description = "Base model (HF directory) for no-context-loss.")
    Path model;

    @Option(names = "--drop-fraction", paramLabel = "F", defaultValue = "0.25",
            description = "no-context-loss: fraction dropped, lowest scores first (default ${DEFAULT-VALUE}).")
    double dropFraction;

    @Option(names = "--score-field", paramLabel = "FIELD", defaultValue = "instruction",
            description = "no-context-loss prompt: 'instruction' (the instruction alone, input removed) or "
                    + "'closed_book_prompt' (each example's statement-form prompt; falls back to the instruction).")
    String scoreField;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "16", description = "Examples per scoring batch.")
    int batchSize;

    @Option(names = "--template", paramLabel = "NAME", defaultValue = "plain",
            description = "no-context-loss prompt format, its no-input form (default ${DEFAULT-VALUE}; see cpi eval "
                    + "--help for the names).")
    String template;

    @Option(names = "--cache-dir", paramLabel = "DIR",
            description = "Score cache (default: $CPI_CACHE/filter-scores, i.e. ~/.cache/cpi/filter-scores).")
    Path cacheDir;

    @Option(names = "--keywords", paramLabel = "FILE", description = "keyword: one keyword a line ('#' comments).")
    Path keywords;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() {
        common.apply();
        List<IftExample> examples = MitigationData.read(data);
        FilterResult result;
        String modelId = null;
        java.util.function.Function<IftExample, String> reason = null;
        switch (by) {
            case HAS_CONTEXT -> result = new HasContextSelector().select(examples);
            case KEYWORD -> {
                if (keywords == null) {
                    throw new UserError("--by keyword needs --keywords FILE (one keyword a line)");
                }
                KeywordSelector selector = KeywordSelector.fromFile(keywords);
                result = selector.select(examples);
                reason = selector::match;
            }
            case NO_CONTEXT_LOSS -> {
                if (model == null) {
                    throw new UserError("--by no-context-loss needs --model PATH (the base model to score with)");
                }
                NoContextLossFilter.ScoreField field = switch (scoreField) {
                    case "instruction", "no-input" -> NoContextLossFilter.ScoreField.NO_INPUT;
                    case "closed_book_prompt", "closed-book-prompt" -> NoContextLossFilter.ScoreField.CLOSED_BOOK_PROMPT;
                    default -> throw new UserError("--score-field must be instruction or closed_book_prompt, got '"
                            + scoreField + "'");
                };
                try (ScoringModel m = modelOpener.apply(model)) {
                    modelId = m.model().fingerprint();
                    Tokenizer tok = m.tokenizer();
                    NoContextLossFilter f = new NoContextLossFilter(m.model(), new NoContextLossFilter.Options(
                            dropFraction, field, batchSize, Templates.resolve(template, tok),
                            cacheDir != null ? cacheDir : Djl.cacheDir().resolve("filter-scores"),
                            tok == null ? null : s -> tok.encode(s).length));
                    result = f.select(examples);
                    if (f.cacheHit()) {
                        System.err.println("scores: from cache");
                    }
                    if (f.fallbacks() > 0) {
                        System.err.println("note: " + f.fallbacks() + " examples have no closed_book_prompt; scored "
                                + "with the instruction alone");
                    }
                }
            }
            default -> throw new IllegalStateException();
        }
        MitigationData.write(out, result.kept());
        Path dir = report != null ? report : defaultReportDir(out);
        ObjectNode config = Json.object();
        config.put("by", by.name().toLowerCase().replace('_', '-'));
        config.put("data", data.toString());
        if (by == By.NO_CONTEXT_LOSS) {
            config.put("drop_fraction", dropFraction);
            config.put("score_field", scoreField);
            config.put("model_path", model.toString());
        }
        if (keywords != null) {
            config.put("keywords", keywords.toString());
        }
        Provenance p = Provenance.of(modelId, Map.of(data.getFileName().toString(), "sha256:" + Hashing.sha256(data)),
                by == By.NO_CONTEXT_LOSS ? template : null, null, config);
        FilterReport.Written w = FilterReport.write(result, examples, p, dir, reason);
        System.out.printf("%s: kept %d of %d, dropped %d (%.1f%%)%n", config.get("by").asText(), result.kept().size(),
                result.total(), result.dropped().size(), 100 * result.droppedFraction());
        if (Double.isFinite(result.threshold())) {
            System.out.printf("threshold: no-context loss %.4f nats/token%n", result.threshold());
        }
        System.out.println("kept: " + out.toAbsolutePath().normalize());
        System.out.println("report: " + w.markdown().toAbsolutePath().normalize());
        return 0;
    }

    static Path defaultReportDir(Path out) {
        String name = out.getFileName().toString();
        int dot = name.lastIndexOf('.');
        Path parent = out.toAbsolutePath().getParent();
        return parent.resolve((dot > 0 ? name.substring(0, dot) : name) + ".report");
    }

    static final class ByConverter implements picocli.CommandLine.ITypeConverter<By> {
        @Override
        public By convert(String s) {
            try {
                return By.valueOf(s.trim().toUpperCase().replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(
                        "expected no-context-loss, keyword or has-context, got '" + s + "'");
            }
        }
    }
}
