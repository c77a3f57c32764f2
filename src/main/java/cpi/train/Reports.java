package cpi.train;

import cpi.report.HtmlReport;
import cpi.report.ReportInputs;
import java.nio.file.Path;
import java.util.List;

/** The HTML report of a run directory (RUN/report/index.html), as `cpi report RUN` writes it. */
final class Reports {
    private Reports() {}

    /** Writes the report; a failure is a warning (the run's results are already safe on disk). */
    static Path write(Path runDir, Finetune.Listener listener) {
        try {
            return HtmlReport.write(ReportInputs.resolve(List.of(runDir)), runDir.resolve("report"));
        } catch (RuntimeException e) {
            listener.onWarning("could not write the HTML report (" + e.getMessage() + "); run `cpi report "
                    + runDir + "` to retry");
            return null;
        }
    }
}
