package cpi.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.DoubleStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

class ChartsTest {
    static final double[] STEPS = {0, 100, 200, 300, 400, 500};
    static final double[] CF = {0.3, 0.5, 0.8, 0.7, 0.55, 0.5};
    static final double[] PAR = {0.6, 0.4, 0.15, 0.2, 0.35, 0.4};

    static double[] plus(double[] v, double d) {
        return DoubleStream.of(v).map(x -> x + d).toArray();
    }

    static XYChart accuracyChart(boolean withParametric) {
        Charts.LineChart c = Charts.line("cf_world_facts").y("accuracy").yRange(0, 1)
                .add(Charts.Line.of("counterfactual", STEPS, CF).ci(plus(CF, -0.05), plus(CF, 0.05))
                        .color(Theme.COUNTERFACTUAL));
        if (withParametric) {
            c.add(Charts.Line.of("parametric", STEPS, PAR).color(Theme.PARAMETRIC).dashed());
        }
        return c.markPeak("counterfactual").build();
    }

    @Test
    void lineChartHasTheSeriesTheBandAndThePeak() {
        XYChart c = accuracyChart(true);
        Map<String, XYSeries> s = c.getSeriesMap();
        assertTrue(s.keySet().containsAll(List.of("counterfactual", "parametric", "counterfactual CI",
                "peak: counterfactual")), s.keySet().toString());
        assertArrayEquals(STEPS, s.get("counterfactual").getXData());
        assertArrayEquals(CF, s.get("counterfactual").getYData());
        assertArrayEquals(PAR, s.get("parametric").getYData());
        // The band is a closed polygon: upper bounds left to right, then lower bounds right to left.
        XYSeries band = s.get("counterfactual CI");
        assertEquals(XYSeries.XYSeriesRenderStyle.PolygonArea, band.getXYSeriesRenderStyle());
        assertEquals(2 * STEPS.length, band.getXData().length);
        assertEquals(CF[0] + 0.05, band.getYData()[0], 1e-12);
        assertEquals(CF[0] - 0.05, band.getYData()[band.getYData().length - 1], 1e-12);
        assertFalse(band.isShowInLegend());
        // The peak is the maximum of the counterfactual line: step 200, 0.8.
        XYSeries peak = s.get("peak: counterfactual");
        assertArrayEquals(new double[] {200}, peak.getXData());
        assertArrayEquals(new double[] {0.8}, peak.getYData());
    }

    @Test
    void pngShowsEachSeriesInItsColour() {
        Figure withPar = Figure.of(accuracyChart(true));
        BufferedImage img = Pixels.decode(withPar.png());
        assertEquals((int) (Charts.WIDTH * Figure.PNG_SCALE), img.getWidth());
        assertTrue(Pixels.nonBackground(img) > 0.03 * img.getWidth() * img.getHeight(), "mostly blank image");
        int blue = Pixels.count(img, Theme.COUNTERFACTUAL, 12);
        int orange = Pixels.count(img, Theme.PARAMETRIC, 12);
        int peakRed = Pixels.count(img, Theme.PEAK, 12);
        assertTrue(blue > 400, "counterfactual line pixels: " + blue);
        assertTrue(orange > 200, "parametric line pixels: " + orange);
        assertTrue(peakRed > 40, "peak marker pixels: " + peakRed);
        // Without the parametric series there is no orange: the colour check can fail.
        BufferedImage without = Pixels.decode(Figure.of(accuracyChart(false)).png());
        assertTrue(Pixels.count(without, Theme.PARAMETRIC, 12) < 5);
    }

    @Test
    void svgIsSelfContainedDeterministicAndColoured() {
        Figure f = Figure.of(accuracyChart(true));
        String svg = f.svg();
        assertTrue(svg.contains("<svg"), svg.substring(0, 200));
        assertFalse(svg.contains("<!DOCTYPE"), "a DOCTYPE names a remote DTD");
        assertFalse(svg.contains("xlink:href=\"http"), "no remote references");
        assertTrue(svg.contains("rgb(0,114,178)"), "counterfactual colour in the SVG");
        assertTrue(svg.contains("rgb(230,159,0)"), "parametric colour in the SVG");
        assertFalse(svg.matches("(?s).*\\d\\.\\d{3,}.*"), "coordinates are rounded to 1/100 px");
        assertEquals(svg, Figure.of(accuracyChart(true)).svg(), "same figure, same bytes");
    }

    @Test
    void panelsAreLaidOutInAGridAndWrittenAsPngAndSvg(@TempDir Path dir) throws Exception {
        List<XYChart> three = List.of(accuracyChart(true), accuracyChart(false), accuracyChart(true));
        Figure f = Figure.panels(three, 2);
        assertEquals(2, f.columns());
        assertEquals(2, f.rows());
        assertEquals(2 * Charts.WIDTH, f.width());
        assertEquals(2 * Charts.HEIGHT, f.height());
        Figure.Files files = f.write(dir, "acc");
        BufferedImage img = Pixels.decode(Files.readAllBytes(files.png()));
        assertEquals((int) (f.width() * Figure.PNG_SCALE), img.getWidth());
        assertEquals((int) (f.height() * Figure.PNG_SCALE), img.getHeight());
        // The empty fourth cell (bottom right) stays background; the third (bottom left) is drawn.
        BufferedImage bottomRight = img.getSubimage(img.getWidth() / 2, img.getHeight() / 2, img.getWidth() / 2,
                img.getHeight() / 2);
        BufferedImage bottomLeft = img.getSubimage(0, img.getHeight() / 2, img.getWidth() / 2, img.getHeight() / 2);
        assertEquals(0, Pixels.nonBackground(bottomRight));
        assertTrue(Pixels.count(bottomLeft, Theme.COUNTERFACTUAL, 12) > 200);
        assertTrue(Files.readString(files.svg()).startsWith("<?xml"));
    }

    @Test
    void histogramCountsEveryValueAndPutsABinEdgeOnTheThreshold() {
        double[] kept = {1.0, 2.0, 2.5, 3.0, 3.1, 4.0, 5.0, 6.0, 6.5};
        double[] dropped = {0.1, 0.3, 0.5, 0.7, 0.9};
        double threshold = 0.95;
        double[] edges = Charts.binEdges(List.of(kept, dropped, new double[] {threshold}), 0, threshold);
        assertTrue(Arrays.stream(edges).anyMatch(e -> Math.abs(e - threshold) < 1e-9), Arrays.toString(edges));
        assertEquals(kept.length, Arrays.stream(Charts.counts(kept, edges)).sum());
        assertEquals(dropped.length, Arrays.stream(Charts.counts(dropped, edges)).sum());
        // No bin holds both kept and dropped scores.
        long[] k = Charts.counts(kept, edges);
        long[] d = Charts.counts(dropped, edges);
        for (int i = 0; i < k.length; i++) {
            assertFalse(k[i] > 0 && d[i] > 0, "bin " + i + " mixes kept and dropped");
        }
        Figure f = Charts.filterHistogram(List.of(1.0, 2.0, 2.5, 3.0, 3.1, 4.0, 5.0, 6.0, 6.5),
                List.of(0.1, 0.3, 0.5, 0.7, 0.9), threshold);
        XYChart c = (XYChart) f.chart();
        assertEquals(List.of("kept", "dropped"), List.copyOf(c.getSeriesMap().keySet()));
        // Step outline of the counts: the tallest dropped bar is 5 (every dropped score is below 0.95).
        assertEquals(5.0, Arrays.stream(c.getSeriesMap().get("dropped").getYData()).max().orElse(0), 0);
        BufferedImage img = Pixels.decode(f.png());
        assertTrue(Pixels.count(img, Theme.CAPABILITY, 10) > 100, "kept outline");
        assertTrue(Pixels.count(img, Theme.LOSS, 10) > 100, "dropped outline");
    }

    @Test
    void heatMapHoldsTheGridAndColoursItsCells() {
        double[][] z = {{0.0, 0.1, 0.2}, {0.1, 0.2, Double.NaN}};
        HeatMapChart c = Charts.heatMap("drop", "δ_C", "δ_M", List.of("0.1", "0.2", "0.3"), List.of("0.4", "0.6"),
                z, "0.00");
        List<Number[]> cells = List.copyOf(c.getHeatMapSeries().getHeatData());
        assertEquals(5, cells.size(), "the NaN cell is left out");
        assertTrue(cells.stream().anyMatch(n -> n[0].intValue() == 2 && n[1].intValue() == 0
                && n[2].doubleValue() == 0.2));
        BufferedImage img = Pixels.decode(Figure.of(c).png());
        Color hottest = Theme.SEQUENTIAL[Theme.SEQUENTIAL.length - 1];
        assertTrue(Pixels.count(img, hottest, 8) > 1000, "the largest cell takes the hottest colour");
    }

    @Test
    void badInputIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Charts.Line.of("x", new double[2], new double[3]));
        assertThrows(IllegalArgumentException.class, () -> Charts.line("t")
                .add(Charts.Line.of("a", STEPS, CF)).add(Charts.Line.of("a", STEPS, CF)));
        assertThrows(IllegalArgumentException.class, () -> Figure.panels(List.of(), 2));
    }

    @Test
    void tickLabelsAndRoundedScaleEnds() {
        assertEquals("0.02", Charts.tick(0.02));
        assertEquals("-0.01", Charts.tick(-0.010000000000000002));
        assertEquals("1000", Charts.tick(1000));
        assertArrayEquals(new double[] {0.0, 0.35}, Charts.roundOutwards(0.0, 0.35000000000000003), 0);
        Map<String, double[]> g = new LinkedHashMap<>();
        g.put("a", new double[] {1, 2, 3});
        XYChart h = Charts.histogram("h", "x", g, null, 3, null, null);
        assertEquals(List.of("a"), List.copyOf(h.getSeriesMap().keySet()));
    }
}
