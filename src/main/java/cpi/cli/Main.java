package cpi.cli;

import cpi.util.UserError;
import picocli.CommandLine;

/** Entry point of the {@code cpi} command. User errors print one line and exit 2; bugs print a trace. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns the exit code (tests call this instead of main). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new CpiCommand());
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            Throwable root = userErrorIn(ex);
            if (root != null) {
                commandLine.getErr().println("cpi: error: " + root.getMessage());
                commandLine.getErr().flush();
                return 2;
            }
            throw ex;
        });
        return cli.execute(args);
    }

    private static Throwable userErrorIn(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof UserError) {
                return t;
            }
        }
        return null;
    }
}
