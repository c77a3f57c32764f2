package cpi.report;

import cpi.util.UserError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** What a report is made of: runs, evaluations and theory outputs, classified from directories. */
public record ReportInputs(List<RunData> runs, List<EvalData> evals, List<Path> theories) {

    public ReportInputs {
        runs = List.copyOf(runs);
        evals = List.copyOf(evals);
        theories = List.copyOf(theories);
    }

    /**
     * Loads run directories, eval output directories and theory directories; a directory that is none of
     * those but whose immediate subdirectories are (e.g. a demo output) stands for them.
     */
    public static ReportInputs resolve(List<Path> paths) {
        if (paths.isEmpty()) {
            throw new UserError("no inputs: pass run directories, eval output directories or theory directories");
        }
        List<RunData> runs = new ArrayList<>();
        List<EvalData> evals = new ArrayList<>();
        List<Path> theories = new ArrayList<>();
        for (Path p : paths) {
            if (!Files.isDirectory(p)) {
                throw new UserError(p + ": no such directory (pass a run, eval or theory output directory)");
            }
            if (!classify(p, runs, evals, theories)) {
                boolean any = false;
                try (Stream<Path> children = Files.list(p)) {
                    for (Path c : children.filter(Files::isDirectory).sorted().toList()) {
                        any |= classify(c, runs, evals, theories);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                if (!any) {
                    throw new UserError(p + ": not a run directory (trajectory.jsonl or run.json), an eval output "
                            + "(summary.json with datasets) or a theory output (theory.json or grid.json), and "
                            + "none of its subdirectories is; pass one of those");
                }
            }
        }
        return new ReportInputs(runs, evals, theories);
    }

    private static boolean classify(Path p, List<RunData> runs, List<EvalData> evals, List<Path> theories) {
        boolean any = false;
        if (RunData.isRunDir(p)) {
            runs.add(RunData.load(p));
            any = true;
        }
        if (EvalData.isEvalDir(p)) {
            evals.add(EvalData.load(p));
            any = true;
        }
        if (TheoryReport.isTheoryDir(p)) {
            theories.add(p);
            any = true;
        }
        return any;
    }
}
