package cpi.mitigate;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import cpi.report.Charts;
import cpi.report.DatasetSummary;
import cpi.report.Figure;
import cpi.report.HtmlReport;
import cpi.report.ReportInputs;
import cpi.report.RunData;
import cpi.report.TextTable;
import cpi.util.AtomicFiles;
import cpi.util.Json;
import cpi.util.UserError;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Several runs side by side (baseline vs mitigations): one row per run and conflict dataset with peak
 * counterfactual accuracy, its step, final, drop (peak − final) and final capability, computed from each
 * run's trajectory exactly as the report computes them ({@link RunData#summary}).
 */
public final class RunComparison {
    public record Row(String run, String dataset, double peak, long peakStep, double finalValue, double drop,
                      double finalParametric, double finalCapability, long finalStep, Path dir) {}

    public record Written(Path markdown, Path csv, Path json, Figure.Files chart, Path html) {}

    private final List<RunData> runs;
    private final List<Row> rows;

    public RunComparison(List<RunData> runs) {
        if (runs.isEmpty()) {
            throw new UserError("no runs to compare: pass run directories (cpi finetune --out)");
        }
        this.runs = List.copyOf(runs);
        List<Row> rs = new ArrayList<>();
        for (RunData r : runs) {
            List<String> ds = r.datasets();
            if (ds.isEmpty()) {
                // A run without conflict evaluations still shows its capability.
                var cap = r.capability();
                double fc = cap.isEmpty() ? Double.NaN : cap.values()[cap.size() - 1];
                rs.add(new Row(r.name(), "—", Double.NaN, -1, Double.NaN, Double.NaN, Double.NaN, fc,
                        cap.isEmpty() ? -1 : cap.steps()[cap.size() - 1], r.dir()));
            }
            for (String d : ds) {
                DatasetSummary s = r.summary(d);
                rs.add(new Row(r.name(), d, s.peak(), s.peakStep(), s.finalValue(), s.drop(), s.finalParametric(),
                        s.finalCapability(), s.finalStep(), r.dir()));
            }
        }
        this.rows = List.copyOf(rs);
    }

    public static RunComparison load(List<Path> dirs) {
        List<RunData> runs = new ArrayList<>();
        for (Path d : dirs) {
            runs.add(RunData.load(d));
        }
        return new RunComparison(runs);
    }

    public List<Row> rows() {
        return rows;
    }

    public List<RunData> runs() {
        return runs;
    }

    static final String[] HEADERS = {"run", "dataset", "peak", "peak step", "final", "drop", "final parametric",
        "final capability"};

    public TextTable table() {
        TextTable t = new TextTable(HEADERS);
        for (Row r : rows) {
            t.row(r.run(), r.dataset(), r.peak(), r.peakStep() < 0 ? "—" : r.peakStep(), r.finalValue(), r.drop(),
                    r.finalParametric(), r.finalCapability());
        }
        return t;
    }

    public String markdown() {
        StringBuilder b = new StringBuilder("| " + String.join(" | ", HEADERS) + " |\n|---|---|");
        b.append("---:|".repeat(HEADERS.length - 2)).append('\n');
        for (Row r : rows) {
            b.append("| ").append(md(r.run())).append(" | ").append(md(r.dataset())).append(" | ")
                    .append(num(r.peak())).append(" | ").append(r.peakStep() < 0 ? "—" : r.peakStep()).append(" | ")
                    .append(num(r.finalValue())).append(" | ").append(num(r.drop())).append(" | ")
                    .append(num(r.finalParametric())).append(" | ").append(num(r.finalCapability())).append(" |\n");
        }
        return b.toString();
    }

    public String csv() {
        StringBuilder b = new StringBuilder("run,dataset,peak,peak_step,final,drop,final_parametric,final_capability\n");
        for (Row r : rows) {
            b.append(csvCell(r.run())).append(',').append(csvCell(r.dataset())).append(',').append(csvNum(r.peak()))
                    .append(',').append(r.peakStep() < 0 ? "" : r.peakStep()).append(',').append(csvNum(r.finalValue()))
                    .append(',').append(csvNum(r.drop())).append(',').append(csvNum(r.finalParametric())).append(',')
                    .append(csvNum(r.finalCapability())).append('\n');
        }
        return b.toString();
    }

    public ArrayNode json() {
        ArrayNode a = Json.MAPPER.createArrayNode();
        for (Row r : rows) {
            ObjectNode o = a.addObject();
            o.put("run", r.run());
            o.put("dataset", r.dataset());
            put(o, "peak", r.peak());
            if (r.peakStep() >= 0) {
                o.put("peak_step", r.peakStep());
            } else {
                o.putNull("peak_step");
            }
            put(o, "final", r.finalValue());
            put(o, "drop", r.drop());
            put(o, "final_parametric", r.finalParametric());
            put(o, "final_capability", r.finalCapability());
            if (r.dir() != null) {
                o.put("dir", r.dir().toAbsolutePath().normalize().toString());
            }
        }
        return a;
    }

    /** All runs' trajectories overlaid (null when no run has a conflict dataset). */
    public Figure chart() {
        return Charts.overlay(runs);
    }

    /**
     * Writes compare.md, compare.csv, compare.json, compare.png/.svg and, unless {@code html} is false,
     * an HTML report under OUT/report whose Comparison section overlays the runs.
     */
    public Written write(Path out, boolean html) {
        Path md = out.resolve("compare.md");
        AtomicFiles.writeString(md, "# Run comparison\n\nCounterfactual accuracy per run and dataset: peak (first "
                + "maximum), its step, final, drop = peak − final; final parametric accuracy and capability.\n\n"
                + markdown() + (chart() != null ? "\n![trajectories](compare.png)\n" : ""));
        Path csv = out.resolve("compare.csv");
        AtomicFiles.writeString(csv, csv());
        Path json = out.resolve("compare.json");
        Json.writeFile(json, json());
        Figure f = chart();
        Figure.Files files = f == null ? null : f.write(out, "compare");
        Path index = null;
        if (html) {
            index = HtmlReport.write(new ReportInputs(runs, List.of(), List.of()), out.resolve("report"));
        }
        return new Written(md, csv, json, files, index);
    }

    private static void put(ObjectNode o, String f, double v) {
        if (Double.isFinite(v)) {
            o.put(f, v);
        } else {
            o.putNull(f);
        }
    }

    private static String num(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.3f", v) : "—";
    }

    private static String csvNum(double v) {
        return Double.isFinite(v) ? new java.math.BigDecimal(v).round(new java.math.MathContext(6)).stripTrailingZeros()
                .toPlainString() : "";
    }

    private static String md(String s) {
        return s.replace("|", "\\|");
    }

    private static String csvCell(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
