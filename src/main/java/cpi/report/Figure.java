package cpi.report;

import cpi.util.AtomicFiles;
import de.erichseifert.vectorgraphics2d.Document;
import de.erichseifert.vectorgraphics2d.VectorGraphics2D;
import de.erichseifert.vectorgraphics2d.svg.SVGProcessor;
import de.erichseifert.vectorgraphics2d.util.PageSize;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.knowm.xchart.internal.chartpart.Chart;

/**
 * A picture made of one or more XChart charts laid out in a grid (panels, e.g. one per dataset), written
 * as PNG (at 2x for sharp text) or SVG. XChart's own encoders handle one chart per file; composing
 * panels ourselves gives one figure per question, which is what a paper or a report wants.
 */
public final class Figure {
    /** PNG pixel density relative to the chart's nominal size. */
    public static final double PNG_SCALE = 2.0;

    private final List<Chart<?, ?>> panels;
    private final int columns;

    private Figure(List<? extends Chart<?, ?>> panels, int columns) {
        if (panels.isEmpty()) {
            throw new IllegalArgumentException("a figure needs at least one chart");
        }
        this.panels = List.copyOf(panels);
        this.columns = Math.max(1, Math.min(columns, panels.size()));
    }

    public static Figure of(Chart<?, ?> chart) {
        return new Figure(List.of(chart), 1);
    }

    /** Panels in a grid of {@code columns} columns, filled row by row. */
    public static Figure panels(List<? extends Chart<?, ?>> charts, int columns) {
        return new Figure(charts, columns);
    }

    /** Panels with cpi's default layout: up to two side by side (readable on a laptop screen). */
    public static Figure panels(List<? extends Chart<?, ?>> charts) {
        return new Figure(charts, 2);
    }

    public List<Chart<?, ?>> panels() {
        return panels;
    }

    /** The first (often only) panel. */
    public Chart<?, ?> chart() {
        return panels.get(0);
    }

    public int columns() {
        return columns;
    }

    public int rows() {
        return (panels.size() + columns - 1) / columns;
    }

    private int cellWidth() {
        return panels.stream().mapToInt(Chart::getWidth).max().orElse(0);
    }

    private int cellHeight() {
        return panels.stream().mapToInt(Chart::getHeight).max().orElse(0);
    }

    /** Nominal size in CSS pixels (the PNG is {@link #PNG_SCALE} times larger). */
    public int width() {
        return cellWidth() * columns;
    }

    public int height() {
        return cellHeight() * rows();
    }

    private void paint(Graphics2D g) {
        g.setColor(Theme.BACKGROUND);
        g.fillRect(0, 0, width(), height());
        for (int i = 0; i < panels.size(); i++) {
            Chart<?, ?> c = panels.get(i);
            AffineTransform saved = g.getTransform();
            g.translate((i % columns) * cellWidth(), (i / columns) * cellHeight());
            c.paint(g, c.getWidth(), c.getHeight());
            g.setTransform(saved);
            g.setClip(null);
        }
    }

    public BufferedImage toImage(double scale) {
        BufferedImage img = new BufferedImage((int) Math.ceil(width() * scale), (int) Math.ceil(height() * scale),
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            g.scale(scale, scale);
            paint(g);
        } finally {
            g.dispose();
        }
        return img;
    }

    public byte[] png() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(toImage(PNG_SCALE), "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** SVG through VectorGraphics2D (the library XChart's VectorGraphicsEncoder uses); text becomes outlines. */
    public String svg() {
        VectorGraphics2D g = new VectorGraphics2D();
        paint(g);
        Document doc = new SVGProcessor().getDocument(g.getCommands(), new PageSize(0, 0, width(), height()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            doc.writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return SvgTidy.tidy(out.toString(StandardCharsets.UTF_8));
    }

    public Path writePng(Path file) {
        AtomicFiles.writeBytes(file, png());
        return file;
    }

    public Path writeSvg(Path file) {
        AtomicFiles.writeString(file, svg());
        return file;
    }

    /** Writes {@code dir/base.png} and {@code dir/base.svg}. */
    public Files write(Path dir, String base) {
        return new Files(writePng(dir.resolve(base + ".png")), writeSvg(dir.resolve(base + ".svg")));
    }

    public record Files(Path png, Path svg) {}
}
