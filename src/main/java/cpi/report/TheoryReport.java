package cpi.report;

import cpi.util.Json;
import cpi.util.UserError;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.XYChart;

/**
 * Charts of {@code cpi theory} output: from {@code theory.json} the test M_C (peak marked), the θ_C / θ_S
 * gradient projections at φ(r), context attention σ_c on C, C+S and test points, and the loss per class;
 * from {@code grid.json} a heat map of the drop (peak − final M_C) over δ_C × δ_M, one panel per value
 * of the other swept parameters.
 */
public final class TheoryReport {
    private TheoryReport() {}

    public static final String THEORY_FILE = "theory.json";
    public static final String GRID_FILE = "grid.json";
    /** The grid's swept inputs drawn on the axes; every other input key splits panels. */
    private static final List<String> GRID_OUTPUTS = List.of("peak_step", "peak_mc", "final_mc", "drop");

    public static boolean isTheoryDir(Path dir) {
        return Files.isRegularFile(dir.resolve(THEORY_FILE)) || Files.isRegularFile(dir.resolve(GRID_FILE));
    }

    /**
     * Writes {@code theory.png/.svg} (when theory.json exists) and {@code grid.png/.svg} (when grid.json
     * exists) into the theory directory and returns the files written.
     */
    public static List<Path> write(Path theoryDir) {
        if (!isTheoryDir(theoryDir)) {
            throw new UserError(theoryDir + ": no theory.json or grid.json (run cpi theory --out " + theoryDir + ")");
        }
        List<Path> out = new ArrayList<>();
        Path t = theoryDir.resolve(THEORY_FILE);
        if (Files.isRegularFile(t)) {
            Figure.Files f = trajectoryFigure(Json.read(t), t).write(theoryDir, "theory");
            out.add(f.png());
            out.add(f.svg());
        }
        Path g = theoryDir.resolve(GRID_FILE);
        if (Files.isRegularFile(g)) {
            Figure fig = gridFigure(Json.read(g), g);
            if (fig != null) {
                Figure.Files f = fig.write(theoryDir, "grid");
                out.add(f.png());
                out.add(f.svg());
            }
        }
        return out;
    }

    /** Four panels: test M_C, gradient projections, context attention, loss per class. */
    public static Figure trajectoryFigure(JsonNode theory, Path source) {
        JsonNode traj = theory.get("trajectory");
        if (traj == null || !traj.isArray() || traj.isEmpty()) {
            throw new UserError(source + ": field 'trajectory' is missing or empty (regenerate it with cpi theory)");
        }
        double[] steps = column(traj, "step");
        List<XYChart> panels = new ArrayList<>();
        Charts.Layout l = Charts.Layout.forPanels(4);

        Charts.LineChart mc = Charts.line("Test M_C").size(l.width(), l.height()).x("step").y("M_C = σ_c / (σ_c + σ_a)").yPattern("0.00");
        mc.add(Charts.Line.of("M_C (test)", steps, column(traj, "mc_test")).color(Theme.COUNTERFACTUAL));
        mc.markPeak("M_C (test)");
        panels.add(mc.build());

        Charts.LineChart grad = Charts.line("Gradient projections at φ(r)").size(l.width(), l.height()).x("step").y("⟨θ, −∇L φ(r)⟩").zeroLine();
        grad.add(Charts.Line.of("θ_C", steps, column(traj, "grad_theta_c")).color(Theme.COUNTERFACTUAL));
        grad.add(Charts.Line.of("θ_S", steps, column(traj, "grad_theta_s")).color(Theme.PARAMETRIC).dashed());
        panels.add(grad.build());

        Charts.LineChart att = Charts.line("Context attention σ_c").size(l.width(), l.height()).x("step").y("attention on context").yPattern("0.00");
        att.add(Charts.Line.of("C points", steps, column(traj, "att_c")).color(Theme.CAPABILITY));
        att.add(Charts.Line.of("C+S points", steps, column(traj, "att_cs")).color(Theme.PARAMETRIC).dashed());
        att.add(Charts.Line.of("test items", steps, column(traj, "att_test")).color(Theme.COUNTERFACTUAL));
        panels.add(att.build());

        Charts.LineChart loss = Charts.line("Loss per class").size(l.width(), l.height()).x("step").y("cross-entropy");
        int i = 0;
        for (Iterator<String> it = traj.get(0).fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (f.startsWith("loss_")) {
                String cls = f.substring(5).toUpperCase().replace("CS", "C+S");
                loss.add(Charts.Line.of(cls + " points", steps, column(traj, f)).color(Theme.run(i++)));
            }
        }
        if (i > 0) {
            panels.add(loss.build());
        }
        return Figure.panels(panels, l.columns());
    }

    /** Heat maps of the drop over δ_C (x) × δ_M (y), one per combination of the other grid parameters. */
    public static Figure gridFigure(JsonNode grid, Path source) {
        JsonNode cells = grid.get("cells");
        if (cells == null || !cells.isArray()) {
            throw new UserError(source + ": field 'cells' is missing (regenerate it with cpi theory --grid)");
        }
        if (cells.isEmpty()) {
            return null;
        }
        TreeSet<Double> dcs = new TreeSet<>();
        TreeSet<Double> dms = new TreeSet<>();
        Map<String, List<JsonNode>> groups = new LinkedHashMap<>();
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (JsonNode c : cells) {
            for (String f : new String[] {"delta_c", "delta_m", "drop"}) {
                if (!c.hasNonNull(f)) {
                    throw new UserError(source + ": a cell lacks field '" + f + "' (regenerate it with cpi theory --grid)");
                }
            }
            dcs.add(c.get("delta_c").asDouble());
            dms.add(c.get("delta_m").asDouble());
            double d = c.get("drop").asDouble();
            min = Math.min(min, d);
            max = Math.max(max, d);
            groups.computeIfAbsent(groupKey(c), k -> new ArrayList<>()).add(c);
        }
        List<Double> xs = new ArrayList<>(dcs);
        List<Double> ys = new ArrayList<>(dms);
        List<String> xLabels = xs.stream().map(TheoryReport::label).toList();
        List<String> yLabels = ys.stream().map(TheoryReport::label).toList();
        List<HeatMapChart> panels = new ArrayList<>();
        for (Map.Entry<String, List<JsonNode>> g : groups.entrySet()) {
            double[][] z = new double[ys.size()][xs.size()];
            int[][] n = new int[ys.size()][xs.size()];
            for (JsonNode c : g.getValue()) {
                int xi = xs.indexOf(c.get("delta_c").asDouble());
                int yi = ys.indexOf(c.get("delta_m").asDouble());
                z[yi][xi] += c.get("drop").asDouble();
                n[yi][xi]++;
            }
            for (int yi = 0; yi < ys.size(); yi++) {
                for (int xi = 0; xi < xs.size(); xi++) {
                    z[yi][xi] = n[yi][xi] == 0 ? Double.NaN : z[yi][xi] / n[yi][xi]; // repeated cells: mean
                }
            }
            String title = g.getKey().isEmpty() ? "Drop of test M_C" : "Drop of M_C · " + g.getKey();
            panels.add(Charts.heatMap(title, "δ_C", "δ_M", xLabels, yLabels, z, "0.00", min, max));
            if (panels.size() == 12) {
                break; // a larger grid is better read from grid.json than from 30 tiny panels
            }
        }
        Charts.Layout l = Charts.Layout.forPanels(panels.size());
        return Figure.panels(panels, l.columns(), l.width(), l.height());
    }

    private static String groupKey(JsonNode cell) {
        List<String> parts = new ArrayList<>();
        for (Iterator<String> it = cell.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals("delta_c") && !f.equals("delta_m") && !GRID_OUTPUTS.contains(f)) {
                parts.add(f + "=" + (cell.get(f).isNumber() ? label(cell.get(f).asDouble()) : cell.get(f).asText()));
            }
        }
        return String.join(", ", parts);
    }

    static String label(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }

    private static double[] column(JsonNode traj, String field) {
        double[] v = new double[traj.size()];
        for (int i = 0; i < v.length; i++) {
            JsonNode n = traj.get(i).get(field);
            v[i] = n == null || n.isNull() ? Double.NaN : n.isNumber() ? n.asDouble() : parse(n.asText());
        }
        return v;
    }

    private static double parse(String s) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
