package cpi.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Ellipse2D;
import org.knowm.xchart.style.markers.Marker;

/**
 * The peak marker: a ring with a dot, larger than the data markers (XChart sizes markers per chart, not
 * per series, so the size is fixed here), so the peak stands out on a busy curve.
 */
final class PeakMarker extends Marker {
    static final PeakMarker INSTANCE = new PeakMarker();
    private static final double RING = 6.5;
    private static final double DOT = 2.5;

    @Override
    public void paint(Graphics2D g, double x, double y, int markerSize) {
        Color c = g.getColor();
        g.setColor(Color.WHITE);
        g.fill(new Ellipse2D.Double(x - RING, y - RING, 2 * RING, 2 * RING));
        g.setColor(c);
        g.setStroke(new BasicStroke(2.2f));
        g.draw(new Ellipse2D.Double(x - RING, y - RING, 2 * RING, 2 * RING));
        g.fill(new Ellipse2D.Double(x - DOT, y - DOT, 2 * DOT, 2 * DOT));
    }
}
