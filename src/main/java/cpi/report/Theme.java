package cpi.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * cpi's chart look, in one place: white background, light grid, no plot box, plain sans-serif text,
 * colour-blind-safe colours. Counterfactual is blue and parametric orange, as in the paper's figures.
 */
public final class Theme {
    private Theme() {}

    public static final Color COUNTERFACTUAL = new Color(0x0072B2);
    public static final Color PARAMETRIC = new Color(0xE69F00);
    public static final Color OTHER = new Color(0x8C8C8C);
    public static final Color CAPABILITY = new Color(0x009E73);
    public static final Color ATTENTION_CONTEXT = new Color(0x0072B2);
    public static final Color ATTENTION_QUESTION = new Color(0xCC79A7);
    public static final Color LOSS = new Color(0xD55E00);
    public static final Color PEAK = new Color(0xC0392B);
    public static final Color INK = new Color(0x1F2937);
    public static final Color MUTED = new Color(0x6B7280);
    public static final Color GRID = new Color(0xE5E7EB);
    public static final Color BACKGROUND = Color.WHITE;

    /** Distinct colours for overlaid runs (Tableau 10, reordered so neighbours contrast). */
    private static final Color[] RUNS = {
        new Color(0x4E79A7), new Color(0xE15759), new Color(0x59A14F), new Color(0xF28E2B),
        new Color(0xB07AA1), new Color(0x76B7B2), new Color(0x9C755F), new Color(0xEDC948),
        new Color(0xFF9DA7), new Color(0xBAB0AC),
    };

    /**
     * Sequential colour scale for heat maps (ColorBrewer OrRd, stopped before its darkest reds so dark cell
     * labels stay readable on every cell): light = small, warm = large.
     */
    public static final Color[] SEQUENTIAL = {
        new Color(0xFFF7EC), new Color(0xFEE8C8), new Color(0xFDBB84), new Color(0xFC8D59), new Color(0xEF6548),
    };

    public static Color run(int i) {
        return RUNS[Math.floorMod(i, RUNS.length)];
    }

    public static Color translucent(Color c, int alpha) {
        return new Color(c.getRed(), c.getGreen(), c.getBlue(), alpha);
    }

    static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 14);
    static final Font AXIS_TITLE = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    static final Font TICKS = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
    static final Font LEGEND = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
    static final Font ANNOTATION = new Font(Font.SANS_SERIF, Font.PLAIN, 11);

    static final BasicStroke SOLID = new BasicStroke(2.0f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
    static final BasicStroke DASHED = new BasicStroke(2.0f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f,
            new float[] {6f, 4f}, 0f);
    static final BasicStroke THIN_DASHED = new BasicStroke(1.0f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f,
            new float[] {4f, 3f}, 0f);
    static final Marker MARKER = SeriesMarkers.CIRCLE;

    /** Applies the look to any axes chart (line charts, heat maps). */
    static void apply(AxesChartStyler s) {
        s.setAntiAlias(true);
        s.setChartBackgroundColor(BACKGROUND);
        s.setPlotBackgroundColor(BACKGROUND);
        s.setPlotBorderVisible(false);
        s.setChartFontColor(INK);
        s.setChartTitleFont(TITLE);
        s.setChartTitleBoxVisible(false);
        s.setChartTitlePadding(8);
        s.setChartPadding(12);
        s.setAxisTitleFont(AXIS_TITLE);
        s.setXAxisTitleColor(MUTED);
        s.setYAxisTitleColor(MUTED);
        s.setAxisTickLabelsFont(TICKS);
        s.setAxisTickLabelsColor(MUTED);
        s.setAxisTickMarksColor(GRID);
        s.setAxisTicksLineVisible(false);
        s.setAxisTickPadding(6);
        s.setAxisTitlePadding(8);
        s.setPlotGridLinesColor(GRID);
        s.setPlotGridLinesStroke(new BasicStroke(1f));
        s.setPlotGridVerticalLinesVisible(false);
        s.setPlotMargin(6);
        s.setXAxisTickMarkSpacingHint(90);
        s.setLegendFont(LEGEND);
        s.setLegendBorderColor(BACKGROUND);
        s.setLegendBackgroundColor(new Color(255, 255, 255, 230));
        s.setLegendPosition(Styler.LegendPosition.OutsideS);
        s.setLegendLayout(Styler.LegendLayout.Horizontal);
        s.setLegendPadding(6);
        s.setLegendSeriesLineLength(18);
        s.setMarkerSize(5);
        s.setAnnotationTextFont(ANNOTATION);
        s.setAnnotationTextFontColor(INK);
        s.setAnnotationLineColor(new Color(0x9CA3AF));
        s.setAnnotationLineStroke(THIN_DASHED);
        s.setToolTipsEnabled(false);
    }
}
