package cpi.cli;

import cpi.report.HtmlReport;
import cpi.report.ReportInputs;
import cpi.report.SummaryTables;
import cpi.report.TextTable;
import cpi.util.UserError;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cpi report}: a static HTML report of runs, evaluations and theory outputs. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Write a self-contained HTML report (charts, summary, flips, provenance, raw data) of run "
                + "directories, eval output directories (cpi eval --out) and theory directories (cpi theory --out).",
            "Open OUT/index.html in any browser; it needs no network."})
public final class ReportCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "DIR",
            description = "Run, eval or theory directories (or a directory of them, e.g. a demo output).")
    List<Path> inputs;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Report directory (default: DIR/report when one input is given).")
    Path out;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() {
        common.apply();
        if (out == null) {
            if (inputs.size() != 1) {
                throw new UserError("--out is required with several inputs (e.g. --out report)");
            }
            out = inputs.get(0).resolve("report");
        }
        ReportInputs in = ReportInputs.resolve(inputs);
        Path index = HtmlReport.write(in, out);
        printTable(SummaryTables.runs(in.runs()));
        printTable(SummaryTables.evals(in.evals()));
        printTable(SummaryTables.theories(in.theories()));
        System.out.println("report: " + index.toAbsolutePath().normalize());
        return 0;
    }

    private static void printTable(TextTable t) {
        if (t.size() > 0) {
            t.print(System.out);
            System.out.println();
        }
    }
}
