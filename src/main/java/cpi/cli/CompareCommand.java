package cpi.cli;

import cpi.mitigate.RunComparison;
import cpi.util.UserError;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cpi compare}: baseline vs mitigations, one table and one overlaid plot. */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"Compare runs (e.g. baseline, filtered, augmented, QK-only): peak, peak step, final, drop "
                + "and final capability per run and dataset, and their trajectories overlaid.",
            "Writes OUT/compare.{md,csv,json,png,svg} and OUT/report/index.html (with a Comparison section)."})
public final class CompareCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "RUN_DIR", description = "Run directories (cpi finetune --out).")
    List<Path> runs;

    @Option(names = "--out", defaultValue = "compare", paramLabel = "DIR", description = "Output directory (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--format", defaultValue = "table", paramLabel = "FMT",
            description = "What stdout shows: table, markdown, csv or json (all are written to OUT).")
    String format;

    @Option(names = "--no-html", description = "Skip the HTML report.")
    boolean noHtml;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() {
        common.apply();
        if (!List.of("table", "markdown", "md", "csv", "json").contains(format)) {
            throw new UserError("--format must be table, markdown, csv or json, got '" + format + "'");
        }
        RunComparison c = RunComparison.load(runs);
        RunComparison.Written w = c.write(out, !noHtml);
        switch (format) {
            case "table" -> c.table().print(System.out);
            case "markdown", "md" -> System.out.print(c.markdown());
            case "csv" -> System.out.print(c.csv());
            case "json" -> System.out.println(cpi.util.Json.writePretty(c.json()));
            default -> throw new IllegalStateException(format);
        }
        if (w.chart() != null) {
            System.out.println("chart: " + w.chart().png().toAbsolutePath().normalize());
        }
        if (w.html() != null) {
            System.out.println("report: " + w.html().toAbsolutePath().normalize());
        }
        return 0;
    }
}
