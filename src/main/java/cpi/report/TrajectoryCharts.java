package cpi.report;

import cpi.experiment.TrajectoryRecord;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The charts of a run's trajectory: counterfactual and parametric accuracy (one panel per dataset, CI
 * bands, peak marked) against the step or the capability score (the paper's x-axis), several runs
 * overlaid, attention on context, and training loss / capability. Each method returns null when the run
 * has nothing to draw for it.
 */
public final class TrajectoryCharts {
    private TrajectoryCharts() {}

    public enum XAxis {
        STEP("step", null),
        CAPABILITY("capability score", "0.00");

        final String label;
        final String pattern;

        XAxis(String label, String pattern) {
            this.label = label;
            this.pattern = pattern;
        }
    }

    static final String CF_NAME = "counterfactual";
    static final String PAR_NAME = "parametric";
    static final String RAW_LOSS = "training loss (raw)";
    /** Overlay series of a run's parametric accuracy: "RUN · parametric". */
    public static final String PAR_SUFFIX = " · parametric";
    /** The legend-only series explaining the dashed lines of an overlay. */
    public static final String PARAMETRIC_KEY = "parametric (dashed)";

    /** Counterfactual and parametric accuracy, one panel per dataset, the counterfactual peak marked. */
    public static Figure accuracy(RunData run, XAxis x) {
        List<XYChart> panels = new ArrayList<>();
        Charts.Layout layout = Charts.Layout.forPanels(run.datasets().size());
        for (String ds : run.datasets()) {
            Charts.LineChart c = Charts.line(ds).x(x.label).y("accuracy").yRange(0, 1).yPattern("0.0")
                    .size(layout.width(), layout.height());
            if (x.pattern != null) {
                c.xPattern(x.pattern);
            }
            if (x == XAxis.CAPABILITY) {
                c.whiskers().peakXName("");
            }
            Charts.Line cf = line(run, ds, RunData.CF, CF_NAME, x);
            Charts.Line par = line(run, ds, RunData.PAR, PAR_NAME, x);
            if (cf == null) {
                continue;
            }
            c.add(cf.color(Theme.COUNTERFACTUAL));
            if (par != null) {
                c.add(par.color(Theme.PARAMETRIC).dashed());
            }
            c.markPeak(CF_NAME);
            panels.add(c.build());
        }
        return panels.isEmpty() ? null : Figure.panels(panels, layout.columns());
    }

    /** Mean attention on context and on question tokens vs step, one panel per dataset. */
    public static Figure attention(RunData run) {
        List<XYChart> panels = new ArrayList<>();
        List<String> withAttention = run.datasets().stream()
                .filter(ds -> run.has(ds, RunData.ATT_CONTEXT) || run.has(ds, RunData.ATT_QUESTION)).toList();
        Charts.Layout layout = Charts.Layout.forPanels(withAttention.size());
        for (String ds : withAttention) {
            Charts.Line ctx = line(run, ds, RunData.ATT_CONTEXT, "context attention", XAxis.STEP);
            Charts.Line q = line(run, ds, RunData.ATT_QUESTION, "question attention", XAxis.STEP);
            if (ctx == null && q == null) {
                continue;
            }
            Charts.LineChart c = Charts.line(ds).x("step").y("attention mass").yPattern("0.00")
                    .size(layout.width(), layout.height());
            if (ctx != null) {
                c.add(ctx.color(Theme.ATTENTION_CONTEXT)).markPeak("context attention");
            }
            if (q != null) {
                c.add(q.color(Theme.ATTENTION_QUESTION).dashed());
            }
            panels.add(c.build());
        }
        return panels.isEmpty() ? null : Figure.panels(panels, layout.columns());
    }

    /** Training loss and held-out loss; capability score, context-QA and benchmark accuracies, vs step. */
    public static Figure training(RunData run) {
        List<XYChart> panels = new ArrayList<>();
        Charts.Layout layout = Charts.Layout.forPanels(2);
        Charts.Line loss = line(run, RunData.TRAIN, RunData.LOSS, "training loss", XAxis.STEP);
        Charts.Line held = line(run, RunData.CAPABILITY, RunData.HELDOUT_LOSS, "held-out loss", XAxis.STEP);
        if (loss != null || held != null) {
            Charts.LineChart c = Charts.line("Loss").x("step").y("loss").size(layout.width(), layout.height());
            if (loss != null && loss.x().length > 40) {
                // Noisy per-step loss: faint raw line under an exponential moving average.
                c.add(Charts.Line.of(RAW_LOSS, loss.x(), loss.y()).noMarkers()
                        .color(Theme.translucent(Theme.LOSS, 70)));
                c.add(Charts.Line.of("training loss", loss.x(), ema(loss.y(), 0.8)).noMarkers().color(Theme.LOSS));
            } else if (loss != null) {
                c.add(loss.color(Theme.LOSS));
            }
            if (held != null) {
                c.add(held.color(Theme.INK).dashed());
            }
            XYChart chart = c.build();
            if (chart.getSeriesMap().containsKey(RAW_LOSS)) {
                chart.getSeriesMap().get(RAW_LOSS).setShowInLegend(false);
            }
            panels.add(chart);
        }
        Charts.Line cap = line(run, RunData.CAPABILITY, RunData.CAPABILITY_SCORE, "capability score", XAxis.STEP);
        Charts.Line qa = line(run, RunData.CAPABILITY, RunData.CONTEXT_QA, "context-QA accuracy", XAxis.STEP);
        List<Charts.Line> benchmarks = new ArrayList<>();
        for (String m : run.benchmarkMetrics()) {
            Charts.Line b = line(run, RunData.CAPABILITY, m, m.substring(TrajectoryRecord.BENCHMARK_PREFIX.length()),
                    XAxis.STEP);
            if (b != null) {
                benchmarks.add(b);
            }
        }
        if (cap != null || qa != null || !benchmarks.isEmpty()) {
            Charts.LineChart c = Charts.line("Capability").x("step").y("score").yPattern("0.00")
                    .size(layout.width(), layout.height());
            if (cap != null) {
                c.add(cap.color(Theme.CAPABILITY));
            }
            if (qa != null) {
                c.add(qa.color(Theme.COUNTERFACTUAL).dashed());
            }
            for (Charts.Line b : benchmarks) {
                c.add(b.color(Theme.PARAMETRIC).dashed());
            }
            panels.add(c.build());
        }
        return panels.isEmpty() ? null : Figure.panels(panels, layout.columns());
    }

    /**
     * Several runs overlaid, one panel per dataset: each run's counterfactual accuracy (solid, CI band on
     * the step axis, peak marked) and parametric accuracy (dashed) in the run's colour. Series are named
     * "RUN" and "RUN · parametric".
     */
    public static Figure overlay(List<RunData> runs, XAxis x) {
        Set<String> datasets = new LinkedHashSet<>();
        runs.forEach(r -> datasets.addAll(r.datasets()));
        List<XYChart> panels = new ArrayList<>();
        Charts.Layout layout = Charts.Layout.forPanels(datasets.size());
        for (String ds : datasets) {
            Charts.LineChart c = Charts.line(ds).x(x.label).y("accuracy").yRange(0, 1).yPattern("0.0")
                    .size(layout.width(), layout.height());
            if (x.pattern != null) {
                c.xPattern(x.pattern);
            }
            if (x == XAxis.CAPABILITY) {
                c.whiskers();
            }
            Set<String> used = new LinkedHashSet<>();
            boolean any = false;
            boolean anyPar = false;
            for (int i = 0; i < runs.size(); i++) {
                RunData r = runs.get(i);
                String name = unique(r.name(), used);
                Charts.Line cf = line(r, ds, RunData.CF, name, x);
                if (cf == null) {
                    continue;
                }
                c.add(cf.color(Theme.run(i))).markPeakQuietly(name);
                Charts.Line par = line(r, ds, RunData.PAR, name + PAR_SUFFIX, x);
                if (par != null) {
                    c.add(par.color(Theme.run(i)).dashed().noMarkers().ci(null, null));
                    anyPar = true;
                }
                any = true;
            }
            if (any) {
                XYChart chart = c.build();
                // One legend entry per run; the parametric lines share a single "dashed" key.
                chart.getSeriesMap().values().forEach(s -> {
                    if (s.getName().endsWith(PAR_SUFFIX)) {
                        s.setShowInLegend(false);
                    }
                });
                if (anyPar) {
                    XYSeries key = chart.addSeries(PARAMETRIC_KEY, new double[] {Double.NaN}, new double[] {Double.NaN});
                    key.setLineColor(Theme.MUTED);
                    key.setLineStyle(Theme.DASHED);
                    key.setMarker(SeriesMarkers.NONE);
                }
                if (runs.size() > 3) {
                    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
                    chart.getStyler().setLegendLayout(Styler.LegendLayout.Vertical);
                }
                panels.add(chart);
            }
        }
        return panels.isEmpty() ? null : Figure.panels(panels, layout.columns());
    }

    /** Exponential moving average (bias-corrected, so the first points are not pulled to zero). */
    static double[] ema(double[] y, double decay) {
        double[] out = new double[y.length];
        double m = 0;
        double w = 0;
        for (int i = 0; i < y.length; i++) {
            if (Double.isFinite(y[i])) {
                m = decay * m + (1 - decay) * y[i];
                w = decay * w + (1 - decay);
            }
            out[i] = w > 0 ? m / w : Double.NaN;
        }
        return out;
    }

    private static String unique(String name, Set<String> used) {
        String n = name;
        for (int k = 2; !used.add(n); k++) {
            n = name + " (" + k + ")";
        }
        return n;
    }

    /** A metric as a chart line against steps or capability; null when the run never measured it. */
    static Charts.Line line(RunData run, String dataset, String metric, String name, XAxis x) {
        Curve c = run.curve(dataset, metric);
        if (c.isEmpty()) {
            return null;
        }
        double[] xs;
        if (x == XAxis.STEP) {
            xs = c.stepsAsDouble();
        } else {
            Curve cap = run.capability();
            if (cap.isEmpty()) {
                return null;
            }
            xs = new double[c.size()];
            boolean any = false;
            for (int i = 0; i < xs.length; i++) {
                xs[i] = cap.at(c.steps()[i]); // NaN where the step has no capability score: skipped
                any |= Double.isFinite(xs[i]);
            }
            if (!any) {
                return null;
            }
        }
        return Charts.Line.of(name, xs, c.values()).ci(c.lo(), c.hi());
    }
}
