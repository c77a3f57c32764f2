package cpi.report;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Post-processes VectorGraphics2D's SVG: rounds coordinates to 1/100 px (text is drawn as outlines, whose
 * 6-digit coordinates would otherwise triple the file size), drops the DOCTYPE (it names a remote DTD,
 * and a report must not even hint at the network) and numbers clip-path ids deterministically so the
 * same figure gives the same bytes.
 */
final class SvgTidy {
    private SvgTidy() {}

    private static final Pattern LONG_DECIMAL = Pattern.compile("(-?\\d+)\\.(\\d{3,})");
    private static final Pattern CLIP_ID = Pattern.compile("clip(\\d+)");

    static String tidy(String svg) {
        String s = svg.replaceFirst("<!DOCTYPE[^>]*>\\s*", "");
        s = roundDecimals(s);
        return renumberClips(s);
    }

    private static String roundDecimals(String s) {
        Matcher m = LONG_DECIMAL.matcher(s);
        StringBuilder out = new StringBuilder(s.length() / 2);
        while (m.find()) {
            double v = Double.parseDouble(m.group());
            m.appendReplacement(out, format(v));
        }
        m.appendTail(out);
        return out.toString();
    }

    static String format(double v) {
        long hundredths = Math.round(v * 100);
        if (hundredths == 0) {
            return "0";
        }
        String sign = hundredths < 0 ? "-" : "";
        long a = Math.abs(hundredths);
        long whole = a / 100;
        long frac = a % 100;
        if (frac == 0) {
            return sign + whole;
        }
        return sign + whole + "." + (frac % 10 == 0 ? String.valueOf(frac / 10) : String.format("%02d", frac));
    }

    private static String renumberClips(String s) {
        Map<String, String> ids = new HashMap<>();
        Matcher m = CLIP_ID.matcher(s);
        StringBuilder out = new StringBuilder(s.length());
        while (m.find()) {
            String id = ids.computeIfAbsent(m.group(1), k -> "cpiclip" + ids.size());
            m.appendReplacement(out, id);
        }
        m.appendTail(out);
        return out.toString();
    }
}
