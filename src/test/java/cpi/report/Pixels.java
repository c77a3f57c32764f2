package cpi.report;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/** Pixel checks for rendered charts. */
final class Pixels {
    private Pixels() {}

    static BufferedImage decode(byte[] png) {
        try {
            return ImageIO.read(new ByteArrayInputStream(png));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Pixels within {@code tolerance} (per channel) of {@code c}. */
    static int count(BufferedImage img, Color c, int tolerance) {
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y);
                if (Math.abs(((rgb >> 16) & 0xff) - c.getRed()) <= tolerance
                        && Math.abs(((rgb >> 8) & 0xff) - c.getGreen()) <= tolerance
                        && Math.abs((rgb & 0xff) - c.getBlue()) <= tolerance) {
                    n++;
                }
            }
        }
        return n;
    }

    /** Pixels that differ from the white background. */
    static int nonBackground(BufferedImage img) {
        return img.getWidth() * img.getHeight() - count(img, Color.WHITE, 0);
    }
}
