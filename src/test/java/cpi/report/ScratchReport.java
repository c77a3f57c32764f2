package cpi.report;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Manual look at the HTML report: writes target/scratch-report/index.html. Not a test. */
final class ScratchReport {
    public static void main(String[] a) throws Exception {
        Path root = Files.createTempDirectory("scratch-inputs");
        Path base = SyntheticRuns.run(root.resolve("baseline"), "baseline", 1.0);
        Path filt = SyntheticRuns.run(root.resolve("filtered"), "filtered", 0.2);
        Path ev = SyntheticRuns.eval(root.resolve("eval-base"));
        Path th = SyntheticRuns.theory(root.resolve("theory"), true);
        long t0 = System.nanoTime();
        Path index = HtmlReport.write(List.of(base, filt, ev, th), Path.of("target/scratch-report"));
        System.out.println(index + " in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
    }
}
