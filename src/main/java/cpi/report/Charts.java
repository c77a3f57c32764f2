package cpi.report;

import java.awt.Color;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.HeatMapSeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.XYSeries.XYSeriesRenderStyle;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The charts cpi draws, as a small API over XChart. Everything returns plain XChart objects (or a
 * {@link Figure} of them), so callers and tests can inspect series names and data, and write them with
 * {@link Figure#write}.
 *
 * <pre>{@code
 * XYChart c = Charts.line("cf_world_facts").x("step").y("accuracy").yRange(0, 1)
 *         .add(Charts.Line.of("counterfactual", steps, cf).ci(lo, hi).color(Theme.COUNTERFACTUAL))
 *         .add(Charts.Line.of("parametric", steps, par).color(Theme.PARAMETRIC))
 *         .markPeak("counterfactual")
 *         .build();
 * Figure.of(c).write(outDir, "cf_world_facts");
 * }</pre>
 *
 * Series naming (stable, tests rely on it): a line is named by its name; its CI band or whiskers
 * "NAME CI"; its peak marker "peak: NAME".
 */
public final class Charts {
    private Charts() {}

    /** Default size of one panel in CSS pixels. */
    public static final int WIDTH = 540;
    public static final int HEIGHT = 360;

    public static final String CI_SUFFIX = " CI";
    public static final String PEAK_PREFIX = "peak: ";
    /** An invisible, data-free series that only steers XChart's x tick placement (see addTickHelper). */
    public static final String AXIS_HELPER = "_axis";

    /** One line: points in x order, an optional confidence interval per point, and its style. */
    public record Line(String name, double[] x, double[] y, double[] lo, double[] hi, Color color,
                       boolean dashedStroke, boolean showMarkers) {

        public static Line of(String name, double[] x, double[] y) {
            if (x.length != y.length) {
                throw new IllegalArgumentException(name + ": x and y differ in length");
            }
            return new Line(name, x, y, null, null, null, false, true);
        }

        /** Lower and upper CI bounds per point; NaN where unknown. */
        public Line ci(double[] low, double[] high) {
            if (low != null && (low.length != x.length || high.length != x.length)) {
                throw new IllegalArgumentException(name + ": CI arrays differ in length from the data");
            }
            return new Line(name, x, y, low, high, color, dashedStroke, showMarkers);
        }

        public Line color(Color c) {
            return new Line(name, x, y, lo, hi, c, dashedStroke, showMarkers);
        }

        public Line dashed() {
            return new Line(name, x, y, lo, hi, color, true, showMarkers);
        }

        public Line noMarkers() {
            return new Line(name, x, y, lo, hi, color, dashedStroke, false);
        }

        boolean hasCi() {
            if (lo == null) {
                return false;
            }
            for (int i = 0; i < x.length; i++) {
                if (Double.isFinite(lo[i]) && Double.isFinite(hi[i])) {
                    return true;
                }
            }
            return false;
        }

        /** Index of the first maximum of y, or -1 when there is no finite point. */
        public int peakIndex() {
            int best = -1;
            for (int i = 0; i < y.length; i++) {
                if (Double.isFinite(y[i]) && Double.isFinite(x[i]) && (best < 0 || y[i] > y[best])) {
                    best = i;
                }
            }
            return best;
        }
    }

    /**
     * Panel size and columns for a figure of {@code n} panels, so figures fill a ~1150 px wide page at
     * about their natural size: one large panel, two side by side, or three across.
     */
    public record Layout(int columns, int width, int height) {
        public static Layout forPanels(int n) {
            if (n <= 1) {
                return new Layout(1, 760, 420);
            }
            if (n == 2 || n == 4) {
                return new Layout(2, 570, 370);
            }
            return new Layout(3, 400, 320);
        }
    }

    public static LineChart line(String title) {
        return new LineChart(title);
    }

    /** Builder for a line chart with optional CI bands, peak markers and reference lines. */
    public static final class LineChart {
        private final String title;
        private String xLabel = "step";
        private String yLabel = "";
        private Double yMin;
        private Double yMax;
        private String xPattern;
        private String yPattern;
        private String peakXName;
        private boolean whiskers;
        private boolean zeroLine;
        private int width = WIDTH;
        private int height = HEIGHT;
        private final List<Line> lines = new ArrayList<>();
        private final Map<String, Boolean> peaks = new LinkedHashMap<>();
        private final List<double[]> verticalMarks = new ArrayList<>();
        private final List<String> verticalLabels = new ArrayList<>();

        private LineChart(String title) {
            this.title = title;
        }

        public LineChart x(String label) {
            this.xLabel = label;
            return this;
        }

        public LineChart y(String label) {
            this.yLabel = label;
            return this;
        }

        public LineChart yRange(double min, double max) {
            this.yMin = min;
            this.yMax = max;
            return this;
        }

        /** Tick label patterns (java.text.DecimalFormat), e.g. "0.00". */
        public LineChart xPattern(String pattern) {
            this.xPattern = pattern;
            return this;
        }

        public LineChart yPattern(String pattern) {
            this.yPattern = pattern;
            return this;
        }

        /**
         * How the peak label names the x value ("step" in "peak 0.84 (step 300)"); default the x label, ""
         * for no x value (when the label would not fit beside the peak line).
         */
        public LineChart peakXName(String name) {
            this.peakXName = name;
            return this;
        }

        /** Draw CIs as vertical whiskers instead of a band (for x values that are not monotone). */
        public LineChart whiskers() {
            this.whiskers = true;
            return this;
        }

        /** A horizontal reference line at y = 0 (for signed quantities such as gradient projections). */
        public LineChart zeroLine() {
            this.zeroLine = true;
            return this;
        }

        /** A labelled vertical reference line, e.g. a filtering threshold. */
        public LineChart verticalLine(double x, String label) {
            verticalMarks.add(new double[] {x});
            verticalLabels.add(label);
            return this;
        }

        public LineChart size(int w, int h) {
            this.width = w;
            this.height = h;
            return this;
        }

        public LineChart add(Line line) {
            if (lines.stream().anyMatch(l -> l.name().equals(line.name()))) {
                throw new IllegalArgumentException("duplicate series name: " + line.name());
            }
            lines.add(line);
            return this;
        }

        /** Marks the maximum of the named line with a marker, a dashed vertical line and a value label. */
        public LineChart markPeak(String lineName) {
            peaks.put(lineName, true);
            return this;
        }

        /** Marks the maximum with a marker only (for overlays, where labels would collide). */
        public LineChart markPeakQuietly(String lineName) {
            peaks.put(lineName, false);
            return this;
        }

        public XYChart build() {
            XYChart chart = new XYChart(width, height);
            chart.setTitle(title);
            chart.setXAxisTitle(xLabel);
            chart.setYAxisTitle(yLabel);
            Theme.apply(chart.getStyler());
            chart.getStyler().setDefaultSeriesRenderStyle(XYSeriesRenderStyle.Line);
            if (yMin != null) {
                chart.getStyler().setYAxisMin(yMin);
                chart.getStyler().setYAxisMax(yMax);
            }
            if (xPattern != null) {
                chart.getStyler().setXAxisDecimalPattern(xPattern);
            }
            if (yPattern != null) {
                chart.getStyler().setYAxisDecimalPattern(yPattern);
            } else {
                chart.setCustomYAxisTickLabelsFormatter(Charts::tick); // XChart's default prints ".02"
            }
            int visible = 0;
            // Bands first so every line is drawn on top of every band.
            for (int i = 0; i < lines.size(); i++) {
                Line l = lines.get(i);
                if (l.hasCi()) {
                    addCi(chart, l, colorOf(l, i));
                }
            }
            for (int i = 0; i < lines.size(); i++) {
                Line l = lines.get(i);
                double[][] xy = finite(l.x(), l.y());
                if (xy[0].length == 0) {
                    continue;
                }
                XYSeries s = chart.addSeries(l.name(), xy[0], xy[1]);
                Color c = colorOf(l, i);
                s.setLineColor(c);
                s.setMarkerColor(c);
                s.setLineStyle(l.dashedStroke() ? Theme.DASHED : Theme.SOLID);
                s.setMarker(l.showMarkers() && xy[0].length <= 60 ? Theme.MARKER : SeriesMarkers.NONE);
                visible++;
            }
            addTickHelper(chart, xRangeOfData());
            boolean firstPeak = true;
            for (Map.Entry<String, Boolean> p : peaks.entrySet()) {
                Line l = lines.stream().filter(x -> x.name().equals(p.getKey())).findFirst().orElse(null);
                if (l == null || l.peakIndex() < 0) {
                    continue;
                }
                addPeak(chart, l, colorOf(l, lines.indexOf(l)), p.getValue(), firstPeak);
                firstPeak = false;
            }
            if (zeroLine) {
                chart.addAnnotation(new AnnotationLine(0, false, false));
            }
            for (int i = 0; i < verticalMarks.size(); i++) {
                double x = verticalMarks.get(i)[0];
                chart.addAnnotation(new AnnotationLine(x, true, false));
            }
            addVerticalLabels(chart);
            chart.getStyler().setLegendVisible(visible > 1 || !peaks.isEmpty());
            return chart;
        }

        /**
         * XChart puts x ticks only on data values when all x values are equally spaced (e.g. loss logged
         * every 10 steps gives ticks at 0, 60, 120, ...). An invisible point off the grid makes it choose
         * round ticks (0, 200, 400, ...) instead.
         */
        private static void addTickHelper(XYChart chart, double[] xr) {
            if (!(xr[1] > xr[0])) {
                return;
            }
            XYSeries s = chart.addSeries(AXIS_HELPER, new double[] {xr[0] + (xr[1] - xr[0]) * 0.0137},
                    new double[] {Double.NaN});
            s.setShowInLegend(false);
            s.setMarker(SeriesMarkers.NONE);
        }

        private void addVerticalLabels(XYChart chart) {
            if (verticalMarks.isEmpty()) {
                return;
            }
            double[] yr = yRangeOfData();
            for (int i = 0; i < verticalMarks.size(); i++) {
                double x = verticalMarks.get(i)[0];
                double[] xr = xRangeOfData();
                double xText = insideX(x, verticalLabels.get(i), xr);
                chart.addAnnotation(new AnnotationText(verticalLabels.get(i), xText, yr[1] - 0.04 * (yr[1] - yr[0]),
                        false));
            }
        }

        private void addPeak(XYChart chart, Line l, Color c, boolean label, boolean inLegend) {
            int i = l.peakIndex();
            double px = l.x()[i];
            double py = l.y()[i];
            XYSeries s = chart.addSeries(PEAK_PREFIX + l.name(), new double[] {px}, new double[] {py});
            s.setXYSeriesRenderStyle(XYSeriesRenderStyle.Scatter);
            s.setMarker(PeakMarker.INSTANCE);
            // Red on a single run's chart; neutral ink on overlays, where red may be a run's colour.
            s.setMarkerColor(label ? Theme.PEAK : Theme.INK);
            s.setLabel("peak");
            s.setShowInLegend(inLegend);
            if (!label) {
                return;
            }
            chart.addAnnotation(new AnnotationLine(px, true, false));
            double[] yr = yRangeOfData();
            double[] xr = xRangeOfData();
            double span = yr[1] - yr[0];
            String xName = peakXName != null ? peakXName : shortLabel(xLabel);
            String text = "peak " + fmt(py) + (xName.isEmpty() ? "" : " (" + xName + " " + fmtX(px) + ")");
            // Beside the dashed line (right of it, or left near the right edge), a little above the point.
            double halfText = halfWidthInData(text, xr);
            double gap = 10.0 / plotWidthPx() * (xr[1] - xr[0]);
            double tx = px + gap + halfText <= xr[1] ? px + gap + halfText : px - gap - halfText;
            double ty = Math.min(py + 0.06 * span, yr[1] - 0.03 * span);
            chart.addAnnotation(new AnnotationText(text, insideX(tx, text, xr), ty, false));
        }

        private double plotWidthPx() {
            return Math.max(100, width - 90);
        }

        private double halfWidthInData(String text, double[] xr) {
            return (text.length() * 6.3 / 2 + 4) / plotWidthPx() * (xr[1] - xr[0]);
        }

        /** Shifts a label's centre so the label (about 6.5 px per character) stays inside the plot. */
        private double insideX(double x, String text, double[] xr) {
            if (xr[1] - xr[0] <= 0) {
                return x;
            }
            double halfData = halfWidthInData(text, xr);
            return Math.max(xr[0] + halfData, Math.min(xr[1] - halfData, x));
        }

        private double[] yRangeOfData() {
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            for (Line l : lines) {
                for (int i = 0; i < l.y().length; i++) {
                    double[] vs = {l.y()[i], l.lo() == null ? Double.NaN : l.lo()[i],
                        l.hi() == null ? Double.NaN : l.hi()[i]};
                    for (double v : vs) {
                        if (Double.isFinite(v)) {
                            lo = Math.min(lo, v);
                            hi = Math.max(hi, v);
                        }
                    }
                }
            }
            if (yMin != null) {
                lo = yMin;
                hi = yMax;
            }
            if (!(hi > lo)) {
                return new double[] {lo - 1, lo + 1};
            }
            return new double[] {lo, hi};
        }

        private double[] xRangeOfData() {
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            for (Line l : lines) {
                for (double v : l.x()) {
                    if (Double.isFinite(v)) {
                        lo = Math.min(lo, v);
                        hi = Math.max(hi, v);
                    }
                }
            }
            for (double[] m : verticalMarks) {
                lo = Math.min(lo, m[0]);
                hi = Math.max(hi, m[0]);
            }
            return new double[] {lo, hi};
        }

        private void addCi(XYChart chart, Line l, Color c) {
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            if (whiskers) {
                for (int i = 0; i < l.x().length; i++) {
                    if (Double.isFinite(l.lo()[i]) && Double.isFinite(l.hi()[i]) && Double.isFinite(l.x()[i])) {
                        if (!xs.isEmpty()) { // NaN breaks the line between whiskers
                            xs.add(Double.NaN);
                            ys.add(Double.NaN);
                        }
                        xs.add(l.x()[i]);
                        ys.add(l.lo()[i]);
                        xs.add(l.x()[i]);
                        ys.add(l.hi()[i]);
                    }
                }
            } else {
                // A closed polygon: along the upper bound left to right, back along the lower bound.
                List<Integer> idx = new ArrayList<>();
                for (int i = 0; i < l.x().length; i++) {
                    if (Double.isFinite(l.lo()[i]) && Double.isFinite(l.hi()[i]) && Double.isFinite(l.x()[i])) {
                        idx.add(i);
                    }
                }
                for (int i : idx) {
                    xs.add(l.x()[i]);
                    ys.add(l.hi()[i]);
                }
                for (int k = idx.size() - 1; k >= 0; k--) {
                    xs.add(l.x()[idx.get(k)]);
                    ys.add(l.lo()[idx.get(k)]);
                }
            }
            XYSeries s = chart.addSeries(l.name() + CI_SUFFIX, toArray(xs), toArray(ys));
            s.setMarker(SeriesMarkers.NONE);
            s.setShowInLegend(false);
            if (whiskers) {
                s.setXYSeriesRenderStyle(XYSeriesRenderStyle.Line);
                s.setLineColor(Theme.translucent(c, 110));
                s.setLineStyle(new java.awt.BasicStroke(1.5f));
            } else {
                s.setXYSeriesRenderStyle(XYSeriesRenderStyle.PolygonArea);
                s.setFillColor(Theme.translucent(c, 46));
                s.setLineColor(Theme.translucent(c, 0));
                s.setLineStyle(new java.awt.BasicStroke(0.1f));
            }
        }

        private static String shortLabel(String label) {
            int paren = label.indexOf(" (");
            return paren > 0 ? label.substring(0, paren) : label;
        }

        private static Color colorOf(Line l, int i) {
            return l.color() != null ? l.color() : Theme.run(i);
        }
    }

    /** Histogram counts of {@code values} over ascending {@code edges}: bin i is [e_i, e_i+1), the last closed. */
    public static long[] counts(double[] values, double[] edges) {
        long[] counts = new long[edges.length - 1];
        for (double v : values) {
            if (!Double.isFinite(v) || v < edges[0] || v > edges[edges.length - 1]) {
                continue;
            }
            int i = Arrays.binarySearch(edges, v);
            int bin = i >= 0 ? i : -i - 2; // an exact edge starts its bin
            counts[Math.min(bin, counts.length - 1)]++;
        }
        return counts;
    }

    /** Bin edges covering every finite value of every group; {@code bins <= 0} picks a count (Freedman–Diaconis). */
    public static double[] binEdges(List<double[]> groups, int bins) {
        return binEdges(groups, bins, Double.NaN);
    }

    /**
     * Equal-width bin edges with a round width (1, 2, 2.5 or 5 × 10^k) covering every finite value; when
     * {@code anchor} is finite it is one of the edges.
     */
    public static double[] binEdges(List<double[]> groups, int bins, double anchor) {
        double[] all = groups.stream().flatMapToDouble(Arrays::stream).filter(Double::isFinite).sorted().toArray();
        if (all.length == 0) {
            return new double[] {0, 1};
        }
        double lo = all[0];
        double hi = all[all.length - 1];
        if (hi <= lo) {
            lo -= 0.5;
            hi += 0.5;
        }
        int n = bins;
        if (n <= 0) {
            double iqr = all[(int) (0.75 * (all.length - 1))] - all[(int) (0.25 * (all.length - 1))];
            double width = 2 * iqr / Math.cbrt(all.length);
            n = width > 0 ? (int) Math.ceil((hi - lo) / width) : (int) Math.ceil(Math.sqrt(all.length));
            n = Math.max(8, Math.min(40, n));
        }
        double w = niceWidth((hi - lo) / n);
        double start = Double.isFinite(anchor) ? anchor - Math.ceil((anchor - lo) / w - 1e-9) * w
                : Math.floor(lo / w) * w;
        int count = Math.max(1, (int) Math.ceil((hi - start) / w - 1e-9));
        if (start + count * w < hi || (start + count * w == hi && count == 0)) {
            count++;
        }
        double[] edges = new double[count + 1];
        for (int i = 0; i <= count; i++) {
            edges[i] = start + i * w;
        }
        return edges;
    }

    static double niceWidth(double raw) {
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * mag >= raw) {
                return m * mag;
            }
        }
        return 10 * mag;
    }

    /**
     * Overlapping histograms of several groups on shared bins, each drawn as a translucent outlined area;
     * an optional labelled threshold line. Series are named by the group names; their y data are the
     * bin counts as a step outline.
     */
    public static XYChart histogram(String title, String xLabel, Map<String, double[]> groups,
                                    Map<String, Color> colors, int bins, Double threshold, String thresholdLabel) {
        boolean hasThreshold = threshold != null && Double.isFinite(threshold);
        List<double[]> data = new ArrayList<>(groups.values());
        if (hasThreshold) {
            data.add(new double[] {threshold}); // keep the threshold inside the plotted range
        }
        // A bin edge on the threshold, so no bar mixes kept and dropped examples.
        double[] edges = binEdges(data, bins, hasThreshold ? threshold : Double.NaN);
        XYChart chart = new XYChart(WIDTH, HEIGHT);
        chart.setTitle(title);
        chart.setXAxisTitle(xLabel);
        chart.setYAxisTitle("count");
        Theme.apply(chart.getStyler());
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisDecimalPattern("#,##0");
        int gi = 0;
        for (Map.Entry<String, double[]> g : groups.entrySet()) {
            long[] c = counts(g.getValue(), edges);
            assert c.length == edges.length - 1;
            double[] xs = new double[2 * c.length + 2];
            double[] ys = new double[2 * c.length + 2];
            xs[0] = edges[0];
            ys[0] = 0;
            for (int b = 0; b < c.length; b++) {
                xs[1 + 2 * b] = edges[b];
                ys[1 + 2 * b] = c[b];
                xs[2 + 2 * b] = edges[b + 1];
                ys[2 + 2 * b] = c[b];
            }
            xs[xs.length - 1] = edges[edges.length - 1];
            ys[ys.length - 1] = 0;
            Color color = colors != null && colors.containsKey(g.getKey()) ? colors.get(g.getKey()) : Theme.run(gi);
            XYSeries s = chart.addSeries(g.getKey(), xs, ys);
            s.setXYSeriesRenderStyle(XYSeriesRenderStyle.PolygonArea);
            s.setFillColor(Theme.translucent(color, 110));
            s.setLineColor(color);
            s.setLineStyle(new java.awt.BasicStroke(1.2f));
            s.setMarker(SeriesMarkers.NONE);
            s.setMarkerColor(color);
            s.setLabel(g.getKey() + " (n=" + g.getValue().length + ")");
            gi++;
        }
        if (threshold != null && Double.isFinite(threshold)) {
            chart.addAnnotation(new AnnotationLine(threshold, true, false));
            long max = 0;
            for (double[] v : groups.values()) {
                max = Math.max(max, Arrays.stream(counts(v, edges)).max().orElse(0));
            }
            String text = thresholdLabel != null ? thresholdLabel : "threshold " + fmt(threshold);
            double span = edges[edges.length - 1] - edges[0];
            double half = (text.length() * 6.3 / 2 + 4) / (WIDTH - 90.0) * span;
            double gap = 8.0 / (WIDTH - 90.0) * span;
            double tx = threshold + gap + half <= edges[edges.length - 1] ? threshold + gap + half
                    : threshold - gap - half;
            chart.addAnnotation(new AnnotationText(text, tx, max * 1.04 + 0.5, false));
            chart.getStyler().setYAxisMax(max * 1.1 + 1);
        }
        // Round axis ends (multiples of the bin width) so tick labels are round numbers too.
        double w = edges[1] - edges[0];
        chart.getStyler().setXAxisMin(Math.floor(edges[0] / w + 1e-9) * w);
        chart.getStyler().setXAxisMax(Math.ceil(edges[edges.length - 1] / w - 1e-9) * w);
        chart.getStyler().setLegendVisible(groups.size() > 1);
        return chart;
    }

    /**
     * The filtering histogram (context-critical filtering): scores of kept and dropped examples and the
     * threshold between them.
     */
    public static Figure filterHistogram(List<Double> kept, List<Double> dropped, double threshold) {
        return filterHistogram("No-context loss of IFT examples", "target loss without context", kept, dropped,
                threshold);
    }

    public static Figure filterHistogram(String title, String scoreLabel, List<Double> kept, List<Double> dropped,
                                         double threshold) {
        Map<String, double[]> groups = new LinkedHashMap<>();
        groups.put("kept", kept.stream().mapToDouble(Double::doubleValue).toArray());
        groups.put("dropped", dropped.stream().mapToDouble(Double::doubleValue).toArray());
        Map<String, Color> colors = Map.of("kept", Theme.CAPABILITY, "dropped", Theme.LOSS);
        return Figure.of(histogram(title, scoreLabel, groups, colors, 0, threshold, "threshold " + fmt(threshold)));
    }

    /**
     * A heat map: {@code z[yi][xi]} over categorical axes (NaN cells are left empty), values printed in
     * the cells, a viridis colour scale. The series is named by the title.
     */
    public static HeatMapChart heatMap(String title, String xLabel, String yLabel, List<String> xCategories,
                                       List<String> yCategories, double[][] z, String valuePattern) {
        return heatMap(title, xLabel, yLabel, xCategories, yCategories, z, valuePattern, Double.NaN, Double.NaN);
    }

    /** As above with a fixed colour range (NaN bounds = the data's range), so panels share one scale. */
    public static HeatMapChart heatMap(String title, String xLabel, String yLabel, List<String> xCategories,
                                       List<String> yCategories, double[][] z, String valuePattern,
                                       double rangeMin, double rangeMax) {
        // The builder, not new HeatMapChart(w, h): in XChart 3.8.8 only the builder path initialises the styler.
        HeatMapChart chart = new HeatMapChartBuilder().width(WIDTH).height(HEIGHT).build();
        chart.setTitle(title);
        chart.setXAxisTitle(xLabel);
        chart.setYAxisTitle(yLabel);
        Theme.apply(chart.getStyler());
        var s = chart.getStyler();
        s.setLegendPosition(Styler.LegendPosition.OutsideE);
        s.setLegendLayout(Styler.LegendLayout.Vertical);
        s.setDecimalPattern(valuePattern == null ? "0.00" : valuePattern);
        s.setPlotGridLinesVisible(false);
        s.setRangeColors(Theme.SEQUENTIAL);
        s.setShowValue(true);
        s.setValueFont(Theme.TICKS);
        s.setValueFontColor(Theme.INK);
        s.setHeatMapValueDecimalPattern(valuePattern == null ? "0.00" : valuePattern);
        s.setDrawBorder(true);
        s.setGradientColorColumnWeight(12);
        s.setGradientColorColumnHeight(Math.max(60, HEIGHT - 120));
        List<Number[]> cells = new ArrayList<>();
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int yi = 0; yi < yCategories.size(); yi++) {
            for (int xi = 0; xi < xCategories.size(); xi++) {
                double v = z[yi][xi];
                if (Double.isFinite(v)) {
                    cells.add(new Number[] {xi, yi, v});
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
        }
        if (Double.isFinite(rangeMin)) {
            min = rangeMin;
        }
        if (Double.isFinite(rangeMax)) {
            max = rangeMax;
        }
        if (cells.isEmpty()) {
            min = 0;
            max = 1;
        } else if (!(max > min)) {
            max = min + 1;
        }
        // XChart prints the scale's ends with Double.toString: round them outwards to 3 significant digits.
        double[] ends = roundOutwards(min, max);
        min = ends[0];
        max = ends[1];
        HeatMapSeries series = chart.addSeries(title, new ArrayList<>(xCategories), new ArrayList<>(yCategories), cells);
        series.setMin(min);
        series.setMax(max);
        s.setMin(min);
        s.setMax(max);
        return chart;
    }

    /** Several runs' trajectories overlaid, one panel per dataset (for {@code cpi compare}). */
    public static Figure overlay(List<RunData> runs) {
        return TrajectoryCharts.overlay(runs, TrajectoryCharts.XAxis.STEP);
    }

    public static Figure overlay(List<RunData> runs, TrajectoryCharts.XAxis x) {
        return TrajectoryCharts.overlay(runs, x);
    }

    /** A tick label: short, no float noise, a leading zero, scientific only for tiny or huge values. */
    static String tick(double v) {
        if (v == 0 || !Double.isFinite(v)) {
            return v == 0 ? "0" : String.valueOf(v);
        }
        double a = Math.abs(v);
        if (a < 1e-3 || a >= 1e6) {
            return String.format("%.1e", v);
        }
        return new java.math.BigDecimal(v).round(new java.math.MathContext(6)).stripTrailingZeros().toPlainString();
    }

    static double[] roundOutwards(double min, double max) {
        double mag = Math.max(Math.abs(min), Math.abs(max));
        int exp = (int) Math.floor(Math.log10(mag)) - 2;
        long lo = (long) Math.floor(min / Math.pow(10, exp) + 1e-9);
        long hi = (long) Math.ceil(max / Math.pow(10, exp) - 1e-9);
        return new double[] {java.math.BigDecimal.valueOf(lo).scaleByPowerOfTen(exp).doubleValue(),
            java.math.BigDecimal.valueOf(hi).scaleByPowerOfTen(exp).doubleValue()};
    }

    static String fmt(double v) {
        if (!Double.isFinite(v)) {
            return String.valueOf(v);
        }
        double a = Math.abs(v);
        if (a != 0 && (a < 0.01 || a >= 10000)) {
            return String.format("%.2e", v);
        }
        return a >= 100 ? String.format("%.0f", v) : a >= 10 ? String.format("%.1f", v) : String.format("%.2f", v);
    }

    static String fmtX(double x) {
        return x == Math.rint(x) && Math.abs(x) < 1e12 ? String.valueOf((long) x) : fmt(x);
    }

    private static double[][] finite(double[] x, double[] y) {
        int n = 0;
        for (int i = 0; i < x.length; i++) {
            if (Double.isFinite(x[i]) && Double.isFinite(y[i])) {
                n++;
            }
        }
        double[] xs = new double[n];
        double[] ys = new double[n];
        int k = 0;
        for (int i = 0; i < x.length; i++) {
            if (Double.isFinite(x[i]) && Double.isFinite(y[i])) {
                xs[k] = x[i];
                ys[k++] = y[i];
            }
        }
        return new double[][] {xs, ys};
    }

    private static double[] toArray(List<Double> l) {
        return l.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
