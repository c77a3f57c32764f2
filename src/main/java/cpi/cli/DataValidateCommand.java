package cpi.cli;

import cpi.data.DataValidator;
import cpi.data.Dataset;
import cpi.data.Datasets;
import cpi.data.ValidationIssue;
import cpi.report.TextTable;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cpi data validate}: reports the data problems that distort context-reliance numbers. */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = {"Check a dataset for counterfactual answers missing from the context, equal answers, "
                + "non-atomic answers (\"La Paz (administrative); Sucre (judicial)\"), duplicates and empty fields.",
            "Exit status: 0, or 1 with --strict when any problem is found; 2 for unreadable input."})
public final class DataValidateCommand implements Callable<Integer> {
    @Parameters(paramLabel = "DATASET|FILE", description = "A dataset name (${COMPLETION-CANDIDATES}) or a file.",
            completionCandidates = DatasetNames.class)
    String dataset;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Folder with cpi-eval/, memotrap/, conflictqa-strategyqa/ (default $CPI_DATA, then ../shared/data).")
    Path dataDir;

    @Option(names = "--strict", description = "Exit with status 1 when any problem is found.")
    boolean strict;

    @Option(names = "--show", paramLabel = "N", defaultValue = "20",
            description = "List at most N problems (default ${DEFAULT-VALUE}; 0 = counts only).")
    int show;

    @Override
    public Integer call() {
        Dataset ds = Datasets.load(dataset, dataDir);
        List<ValidationIssue> issues = DataValidator.validate(ds);
        System.out.println(ds.name() + ": " + ds.items().size() + " items, " + ds.fingerprint());
        Map<ValidationIssue.Kind, Integer> counts = new EnumMap<>(ValidationIssue.Kind.class);
        for (ValidationIssue.Kind k : ValidationIssue.Kind.values()) {
            counts.put(k, 0);
        }
        issues.forEach(i -> counts.merge(i.kind(), 1, Integer::sum));
        TextTable t = new TextTable("problem", "count");
        counts.forEach((k, v) -> t.row(k.label(), (long) v));
        t.print(System.out);
        if (show > 0 && !issues.isEmpty()) {
            System.out.println();
            TextTable d = new TextTable("item", "problem", "detail").maxWidth(90);
            issues.stream().limit(show).forEach(i -> d.row(i.itemId(), i.kind().label(), i.detail()));
            d.print(System.out);
            if (issues.size() > show) {
                System.out.println("… " + (issues.size() - show) + " more (use --show N)");
            }
        }
        return strict && !issues.isEmpty() ? 1 : 0;
    }

    /** Completion candidates and help text: the registry names. */
    static final class DatasetNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Datasets.names().iterator();
        }
    }
}
