package cpi.report;

import cpi.util.AtomicFiles;
import de.erichseifert.vectorgraphics2d.Document;
import de.erichseifert.vectorgraphics2d.VectorGraphics2D;
import de.erichseifert.vectorgraphics2d.svg.SVGProcessor;
import de.erichseifert.vectorgraphics2d.util.PageSize;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
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
    private final int cellWidth;
    private final int cellHeight;

    private Figure(List<? extends Chart<?, ?>> panels, int columns, int cellWidth, int cellHeight) {
        if (panels.isEmpty()) {
            throw new IllegalArgumentException("a figure needs at least one chart");
        }
        this.panels = List.copyOf(panels);
        this.columns = Math.max(1, Math.min(columns, panels.size()));
        this.cellWidth = cellWidth > 0 ? cellWidth : panels.stream().mapToInt(Chart::getWidth).max().orElse(0);
        this.cellHeight = cellHeight > 0 ? cellHeight : panels.stream().mapToInt(Chart::getHeight).max().orElse(0);
    }

    private Figure(List<? extends Chart<?, ?>> panels, int columns) {
        this(panels, columns, 0, 0);
    }

    public static Figure of(Chart<?, ?> chart) {
        return new Figure(List.of(chart), 1);
    }

    /** Panels in a grid of {@code columns} columns, filled row by row, each at its own chart size. */
    public static Figure panels(List<? extends Chart<?, ?>> charts, int columns) {
        return new Figure(charts, columns);
    }

    /** Panels in a grid, every panel drawn at {@code cellWidth × cellHeight} whatever its chart's size. */
    public static Figure panels(List<? extends Chart<?, ?>> charts, int columns, int cellWidth, int cellHeight) {
        return new Figure(charts, columns, cellWidth, cellHeight);
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
        return cellWidth;
    }

    private int cellHeight() {
        return cellHeight;
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
            // A fresh graphics state per panel: a paint (e.g. a heat map's gradient legend) or clip left by
            // one chart must not leak into the next (VectorGraphics2D would carry it over into the SVG).
            Graphics2D pg = (Graphics2D) g.create();
            try {
                pg.translate((i % columns) * cellWidth(), (i / columns) * cellHeight());
                pg.clipRect(0, 0, cellWidth, cellHeight);
                panels.get(i).paint(pg, cellWidth, cellHeight);
            } finally {
                pg.dispose();
            }
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
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(ios);
            ImageWriteParam p = writer.getDefaultWriteParam();
            // Fast deflate: charts are mostly flat colour, so this costs little size and halves encode time.
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionQuality(0.75f);
            writer.write(null, new IIOImage(toImage(PNG_SCALE), null, null), p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
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
