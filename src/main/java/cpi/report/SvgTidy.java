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

    private static final Pattern CLIP_ID = Pattern.compile("clip(\\d+)");

    static String tidy(String svg) {
        String s = svg.replaceFirst("<!DOCTYPE[^>]*>\\s*", "");
        s = roundDecimals(s);
        return renumberClips(s);
    }

    /**
     * Rewrites every decimal number with 3+ fraction digits, in one pass (a regex replace is much slower).
     * Integers (ids such as clip123, colours) are copied unchanged.
     */
    private static String roundDecimals(String s) {
        StringBuilder out = new StringBuilder(s.length() / 2);
        int n = s.length();
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            boolean startsNumber = (c >= '0' && c <= '9') || (c == '-' && i + 1 < n && isDigit(s.charAt(i + 1)));
            if (!startsNumber) {
                out.append(c);
                i++;
                continue;
            }
            int j = c == '-' ? i + 1 : i;
            while (j < n && isDigit(s.charAt(j))) {
                j++;
            }
            if (j + 1 < n && s.charAt(j) == '.' && isDigit(s.charAt(j + 1))) {
                int k = j + 1;
                while (k < n && isDigit(s.charAt(k))) {
                    k++;
                }
                if (k - j - 1 >= 3) {
                    out.append(format(Double.parseDouble(s.substring(i, k))));
                } else {
                    out.append(s, i, k);
                }
                i = k;
            } else {
                out.append(s, i, j);
                i = j;
            }
        }
        return out.toString();
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
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
