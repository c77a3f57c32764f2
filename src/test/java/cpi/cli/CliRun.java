package cpi.cli;

import cpi.util.Progress;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs the cpi CLI in process, as a user would type it, capturing exit code, stdout and stderr. */
public final class CliRun {
    private CliRun() {}

    public record Output(int code, String out, String err) {}

    public static Output cpi(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Output(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
            // --quiet sets a process-wide flag; one command must not silence the next test's.
            Progress.setQuiet(false);
        }
    }
}
