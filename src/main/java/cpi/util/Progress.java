package cpi.util;

import java.io.PrintStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress for long loops: a live bar with ETA on a terminal (me.tongfei progressbar), plain periodic
 * lines when stderr is not a terminal (CI logs, pipes), nothing with quiet. Always on stderr, so
 * stdout stays machine-readable.
 */
public final class Progress implements AutoCloseable {
    private static volatile boolean quiet;

    private final ProgressBar bar;
    private final String task;
    private final long total;
    private long current;
    private long lastLineNanos;
    private String extra = "";

    private Progress(String task, long total) {
        this.task = task;
        this.total = total;
        if (quiet) {
            bar = null;
        } else if (System.console() != null) {
            bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total)
                    .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
                    .setConsumer(new ConsoleProgressBarConsumer(System.err))
                    .setUpdateIntervalMillis(250).showSpeed().build();
        } else {
            bar = null;
            lastLineNanos = System.nanoTime();
        }
    }

    public static Progress start(String task, long total) {
        return new Progress(task, total);
    }

    /** --quiet: no progress output at all. */
    public static void setQuiet(boolean q) {
        quiet = q;
    }

    public static boolean isQuiet() {
        return quiet;
    }

    public void step() {
        stepBy(1);
    }

    public void stepBy(long n) {
        current += n;
        if (bar != null) {
            bar.stepBy(n);
        } else if (!quiet) {
            maybePrintLine(false);
        }
    }

    /** A short status shown after the bar, e.g. "loss 1.23 lr 3e-4". */
    public void status(String text) {
        extra = text;
        if (bar != null) {
            bar.setExtraMessage(text);
        }
    }

    private void maybePrintLine(boolean force) {
        long now = System.nanoTime();
        if (force || now - lastLineNanos > 10_000_000_000L) {
            lastLineNanos = now;
            PrintStream err = System.err;
            err.printf("%s: %d/%d%s%n", task, current, total, extra.isEmpty() ? "" : "  " + extra);
        }
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        } else if (!quiet) {
            maybePrintLine(true);
        }
    }
}
