package cpi.report;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A compact plain-text table for final summaries on the terminal: a header, a dashed rule, columns
 * separated by two spaces, numeric columns right-aligned automatically. No box drawing or colour, so it
 * reads the same in a terminal, a CI log or a pasted issue.
 *
 * <pre>{@code
 * TextTable t = new TextTable("run", "dataset", "peak", "final", "drop");
 * t.row("baseline", "cf_capitals", 0.84, 0.511, 0.329);
 * t.print(System.out);
 * }</pre>
 *
 * Cells: {@code Double}/{@code Float} print with {@link #decimals(int)} decimals (default 3) and NaN as
 * "—"; other objects with {@code toString()}; null as "". Cells longer than {@link #maxWidth(int)} are
 * cut with "…".
 */
public final class TextTable {
    public enum Align { LEFT, RIGHT, AUTO }

    private final String[] headers;
    private final Align[] align;
    private final List<String[]> rows = new ArrayList<>();
    private int decimals = 3;
    private int maxWidth = 48;

    public TextTable(String... headers) {
        if (headers.length == 0) {
            throw new IllegalArgumentException("a table needs at least one column");
        }
        this.headers = headers.clone();
        this.align = new Align[headers.length];
        Arrays.fill(align, Align.AUTO);
    }

    public TextTable decimals(int d) {
        this.decimals = d;
        return this;
    }

    public TextTable maxWidth(int w) {
        this.maxWidth = Math.max(4, w);
        return this;
    }

    public TextTable align(int column, Align a) {
        align[column] = a;
        return this;
    }

    public TextTable row(Object... cells) {
        if (cells.length != headers.length) {
            throw new IllegalArgumentException("row has " + cells.length + " cells, table has " + headers.length
                    + " columns");
        }
        String[] r = new String[cells.length];
        for (int i = 0; i < cells.length; i++) {
            r[i] = cut(format(cells[i]));
        }
        rows.add(r);
        return this;
    }

    public int size() {
        return rows.size();
    }

    private String format(Object v) {
        if (v == null) {
            return "";
        }
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            return Double.isNaN(d) ? "—" : String.format(Locale.ROOT, "%." + decimals + "f", d);
        }
        if (v instanceof Boolean b) {
            return b ? "yes" : "no";
        }
        return v.toString().replace('\n', ' ');
    }

    private String cut(String s) {
        return s.length() <= maxWidth ? s : s.substring(0, maxWidth - 1) + "…";
    }

    private boolean rightAligned(int col) {
        if (align[col] != Align.AUTO) {
            return align[col] == Align.RIGHT;
        }
        boolean any = false;
        for (String[] r : rows) {
            String c = r[col].strip();
            if (c.isEmpty() || c.equals("—")) {
                continue;
            }
            if (!c.matches("[-+]?[0-9][0-9,]*(\\.[0-9]+)?([eE][-+]?[0-9]+)?%?")) {
                return false;
            }
            any = true;
        }
        return any;
    }

    public String render() {
        int n = headers.length;
        int[] w = new int[n];
        boolean[] right = new boolean[n];
        for (int i = 0; i < n; i++) {
            w[i] = headers[i].length();
            for (String[] r : rows) {
                w[i] = Math.max(w[i], r[i].length());
            }
            right[i] = rightAligned(i);
        }
        StringBuilder b = new StringBuilder();
        line(b, headers, w, right);
        String[] rule = new String[n];
        for (int i = 0; i < n; i++) {
            rule[i] = "-".repeat(w[i]);
        }
        line(b, rule, w, right);
        for (String[] r : rows) {
            line(b, r, w, right);
        }
        return b.toString();
    }

    private static void line(StringBuilder b, String[] cells, int[] w, boolean[] right) {
        StringBuilder l = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) {
                l.append("  ");
            }
            String pad = " ".repeat(w[i] - cells[i].length());
            l.append(right[i] ? pad + cells[i] : cells[i] + pad);
        }
        b.append(l.toString().stripTrailing()).append('\n');
    }

    public void print(PrintStream out) {
        out.print(render());
        out.flush();
    }

    @Override
    public String toString() {
        return render();
    }
}
