package cpi.cli;

import cpi.util.Progress;
import picocli.CommandLine.Option;

/**
 * Options every long-running command shares. Add to a command with
 * {@code @Mixin CommonOptions common;} and call {@link #apply()} first thing in {@code call()}.
 * Progress is already plain lines (no bar) when stderr is not a terminal; {@code --quiet} silences it.
 */
public final class CommonOptions {
    @Option(names = {"-q", "--quiet"},
            description = "No progress output on stderr (results and final tables still print).")
    boolean quiet;

    /** Applies the options (sets or clears quiet progress; explicit so one run never leaks into the next). */
    public void apply() {
        Progress.setQuiet(quiet);
    }

    public boolean quiet() {
        return quiet;
    }
}
