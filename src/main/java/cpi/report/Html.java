package cpi.report;

import cpi.util.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

/** Small HTML helpers for the report: escaping, number cells, sparklines, CI bars, provenance lists. */
final class Html {
    private Html() {}

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** A number for a table: 3 decimals, "—" when unknown. */
    static String num(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.3f", v) : "—";
    }

    /** A right-aligned numeric cell that sorts by its value. */
    static String numCell(double v) {
        return "<td class=\"num\" data-v=\"" + (Double.isFinite(v) ? v : "") + "\">" + num(v) + "</td>";
    }

    static String badge(Boolean inversion) {
        if (inversion == null) {
            return "<span class=\"badge unknown\" title=\"no confidence intervals to judge by\">unknown</span>";
        }
        return inversion ? "<span class=\"badge yes\">inversion</span>" : "<span class=\"badge no\">no</span>";
    }

    static String labelBadge(String label) {
        return "<span class=\"badge lbl-" + esc(label) + "\">" + esc(label) + "</span>";
    }

    /** An inline SVG sparkline of a curve on [0, 1] with its maximum marked. */
    static String sparkline(Curve c, String color) {
        int w = 120;
        int h = 30;
        if (c.isEmpty()) {
            return "";
        }
        long x0 = c.steps()[0];
        long x1 = c.steps()[c.size() - 1];
        StringBuilder pts = new StringBuilder();
        int peak = 0;
        for (int i = 0; i < c.size(); i++) {
            if (c.values()[i] > c.values()[peak]) {
                peak = i;
            }
            pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", px(c.steps()[i], x0, x1, w), py(c.values()[i], h)));
        }
        return String.format(Locale.ROOT, "<svg class=\"spark\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                + "role=\"img\" aria-label=\"counterfactual accuracy over steps\">"
                + "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.6\" stroke-linejoin=\"round\" points=\"%s\"/>"
                + "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.6\" fill=\"#c0392b\"/></svg>",
                w, h, w, h, color, pts.toString().trim(), px(c.steps()[peak], x0, x1, w), py(c.values()[peak], h));
    }

    private static double px(long step, long x0, long x1, int w) {
        return x1 == x0 ? w / 2.0 : 3 + (w - 6) * (double) (step - x0) / (x1 - x0);
    }

    private static double py(double v, int h) {
        double c = Math.max(0, Math.min(1, Double.isFinite(v) ? v : 0));
        return h - 3 - (h - 6) * c;
    }

    /** A horizontal bar for an accuracy in [0, 1] with its CI as a whisker. */
    static String bar(String kind, double v, double lo, double hi) {
        StringBuilder b = new StringBuilder("<div class=\"barcell\"><div class=\"bar ").append(kind).append("\">");
        if (Double.isFinite(v)) {
            b.append(String.format(Locale.ROOT, "<span style=\"width:%.1f%%\"></span>", 100 * clamp(v)));
        }
        if (Double.isFinite(lo) && Double.isFinite(hi)) {
            b.append(String.format(Locale.ROOT, "<i style=\"left:%.1f%%;width:%.1f%%\" title=\"95%% CI %.3f–%.3f\"></i>",
                    100 * clamp(lo), 100 * Math.max(0.004, clamp(hi) - clamp(lo)), lo, hi));
        }
        return b.append("</div><span class=\"v\">").append(num(v)).append("</span></div>").toString();
    }

    private static double clamp(double v) {
        return Math.max(0, Math.min(1, v));
    }

    /**
     * A provenance object as a definition list: scalars as rows, a "datasets" map as name → hash lines,
     * any other object or array as collapsible JSON.
     */
    static String provenance(JsonNode node, Map<String, String> extra) {
        StringBuilder b = new StringBuilder("<dl class=\"prov\">");
        extra.forEach((k, v) -> b.append("<dt>").append(esc(k)).append("</dt><dd>").append(v).append("</dd>"));
        StringBuilder nested = new StringBuilder();
        if (node != null && node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode v = e.getValue();
                if (v.isValueNode()) {
                    b.append("<dt>").append(esc(e.getKey().replace('_', ' '))).append("</dt><dd>")
                            .append(esc(v.asText())).append("</dd>");
                } else if (e.getKey().equals("datasets") && v.isObject() && allScalars(v)) {
                    b.append("<dt>datasets</dt><dd>");
                    for (Iterator<Map.Entry<String, JsonNode>> d = v.fields(); d.hasNext(); ) {
                        Map.Entry<String, JsonNode> de = d.next();
                        b.append("<div><b>").append(esc(de.getKey())).append("</b> <code>")
                                .append(esc(de.getValue().asText())).append("</code></div>");
                    }
                    b.append("</dd>");
                } else {
                    nested.append(jsonDetails(e.getKey(), v));
                }
            }
        }
        return b.append("</dl>").append(nested).toString();
    }

    static String jsonDetails(String title, JsonNode v) {
        return "<details class=\"json\"><summary>" + esc(title) + "</summary><pre>" + esc(Json.writePretty(v))
                + "</pre></details>";
    }

    private static boolean allScalars(JsonNode o) {
        for (JsonNode v : o) {
            if (!v.isValueNode()) {
                return false;
            }
        }
        return true;
    }

    static String humanSize(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        if (bytes < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KB", bytes / 1024.0);
        }
        return String.format(Locale.ROOT, "%.1f MB", bytes / (1024.0 * 1024));
    }
}
