package cpi.mitigate;

import cpi.train.IftExample;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import cpi.experiment.Provenance;
import cpi.report.Charts;
import cpi.report.Figure;
import cpi.util.AtomicFiles;
import cpi.util.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The filtering report next to the kept set: {@code filter-report.json} (counts, threshold, per-kind
 * statistics, AUROC of the score for telling context-critical examples from the rest, examples, provenance),
 * {@code filter-report.md} (the same for people) and, for scored selectors, {@code scores.png/.svg}
 * (histogram of kept and dropped scores with the threshold).
 */
public final class FilterReport {
    /** The kind treated as the positive class for AUROC (higher no-context loss should mean this kind). */
    public static final String CONTEXT_CRITICAL = "context_critical";
    static final int EXAMPLES = 5;

    private FilterReport() {}

    public record Written(Path json, Path markdown, Figure.Files histogram) {}

    public static Written write(FilterResult r, List<IftExample> all, Provenance provenance, Path dir) {
        return write(r, all, provenance, dir, null);
    }

    /**
     * As above; {@code reason} (may be null) says why an example was dropped, e.g. the keyword it mentions:
     * shown with the dropped examples and counted in {@code drop_reasons}.
     */
    public static Written write(FilterResult r, List<IftExample> all, Provenance provenance, Path dir,
                                java.util.function.Function<IftExample, String> reason) {
        ObjectNode o = json(r, all);
        if (reason != null) {
            Map<String, Integer> counts = new TreeMap<>();
            r.dropped().forEach(e -> {
                String why = reason.apply(e);
                if (why != null) {
                    counts.merge(why, 1, Integer::sum);
                }
            });
            ObjectNode reasons = o.putObject("drop_reasons");
            counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                    .forEach(e -> reasons.put(e.getKey(), e.getValue()));
            for (var x : o.withArray("examples_dropped")) {
                IftExample e = r.dropped().stream().filter(d -> d.id().equals(x.path("id").asText())).findFirst()
                        .orElse(null);
                if (e != null && reason.apply(e) != null) {
                    ((ObjectNode) x).put("reason", reason.apply(e));
                }
            }
        }
        if (provenance != null) {
            o.set("provenance", provenance.toJson());
        }
        Path jsonFile = dir.resolve("filter-report.json");
        Json.writeFile(jsonFile, o);
        Figure.Files hist = null;
        if (r.scores() != null) {
            hist = histogram(r, all).write(dir, "scores");
        }
        Path md = dir.resolve("filter-report.md");
        AtomicFiles.writeString(md, markdown(o, hist != null));
        return new Written(jsonFile, md, hist);
    }

    /** Kept and dropped scores on shared bins, a bin edge on the threshold. */
    public static Figure histogram(FilterResult r, List<IftExample> all) {
        List<Double> kept = new ArrayList<>();
        List<Double> dropped = new ArrayList<>();
        Map<IftExample, Boolean> isDropped = new IdentityHashMap<>();
        r.dropped().forEach(e -> isDropped.put(e, true));
        for (int i = 0; i < all.size(); i++) {
            double s = r.scores()[i];
            if (Double.isFinite(s)) {
                (isDropped.containsKey(all.get(i)) ? dropped : kept).add(s);
            }
        }
        Figure f = Charts.filterHistogram(kept, dropped, r.threshold());
        // Charts rounds the axis start down to a multiple of the bin width; with bins anchored on the
        // threshold that can leave most of a bin's width of empty axis below the first bin. Start the axis at
        // the first bin edge instead, so no bin (and no blank) appears below the minimum score's bin.
        if (f.chart() instanceof org.knowm.xchart.XYChart c) {
            double first = c.getSeriesMap().values().stream().filter(s -> s.getXData().length > 3)
                    .mapToDouble(s -> s.getXData()[0]).min().orElse(Double.NaN);
            Double axisMin = c.getStyler().getXAxisMin();
            if (Double.isFinite(first) && (axisMin == null || axisMin < first)) {
                c.getStyler().setXAxisMin(first);
            }
        }
        return f;
    }

    static ObjectNode json(FilterResult r, List<IftExample> all) {
        ObjectNode o = Json.object();
        o.put("selector", r.selector());
        o.put("total", r.total());
        o.put("kept", r.kept().size());
        o.put("dropped", r.dropped().size());
        o.put("dropped_fraction", r.droppedFraction());
        Map<IftExample, Boolean> isDropped = new IdentityHashMap<>();
        r.dropped().forEach(e -> isDropped.put(e, true));
        double[] scores = r.scores();
        if (scores != null) {
            putNumber(o, "threshold", r.threshold());
            double[] finite = java.util.Arrays.stream(scores).filter(Double::isFinite).sorted().toArray();
            if (finite.length > 0) {
                o.put("score_min", finite[0]);
                o.put("score_median", finite[finite.length / 2]);
                o.put("score_max", finite[finite.length - 1]);
            }
            o.put("unscored", scores.length - finite.length);
        }
        // Per-kind statistics and the AUROC, when examples carry a kind.
        Map<String, List<Integer>> byKind = new TreeMap<>();
        for (int i = 0; i < all.size(); i++) {
            String k = all.get(i).kind();
            if (k != null && !k.isBlank()) {
                byKind.computeIfAbsent(k, x -> new ArrayList<>()).add(i);
            }
        }
        if (!byKind.isEmpty()) {
            ObjectNode kinds = o.putObject("kinds");
            for (var e : byKind.entrySet()) {
                ObjectNode k = kinds.putObject(e.getKey());
                k.put("n", e.getValue().size());
                long d = e.getValue().stream().filter(i -> isDropped.containsKey(all.get(i))).count();
                k.put("dropped", d);
                k.put("dropped_fraction", (double) d / e.getValue().size());
                if (scores != null) {
                    putNumber(k, "mean_score", e.getValue().stream().mapToDouble(i -> scores[i])
                            .filter(Double::isFinite).average().orElse(Double.NaN));
                }
            }
            if (scores != null && byKind.containsKey(CONTEXT_CRITICAL) && byKind.size() > 1) {
                List<Integer> idx = byKind.values().stream().flatMap(List::stream).sorted().toList();
                double[] s = new double[idx.size()];
                boolean[] pos = new boolean[idx.size()];
                for (int j = 0; j < idx.size(); j++) {
                    s[j] = scores[idx.get(j)];
                    pos[j] = CONTEXT_CRITICAL.equals(all.get(idx.get(j)).kind());
                }
                putNumber(o, "auroc_context_critical", Auroc.of(s, pos));
            }
        }
        o.set("examples_dropped", examples(r.dropped(), all, scores, true));
        o.set("examples_kept", examples(r.kept(), all, scores, false));
        return o;
    }

    /** The most typical examples of a side: lowest-scored dropped, highest-scored kept (else the first ones). */
    private static ArrayNode examples(List<IftExample> side, List<IftExample> all, double[] scores, boolean low) {
        Map<IftExample, Integer> index = new IdentityHashMap<>();
        for (int i = 0; i < all.size(); i++) {
            index.put(all.get(i), i);
        }
        List<IftExample> pick = new ArrayList<>(side);
        if (scores != null) {
            Comparator<IftExample> c = Comparator.comparingDouble(e -> {
                double s = scores[index.get(e)];
                return Double.isNaN(s) ? Double.NEGATIVE_INFINITY : s;
            });
            pick.sort(low ? c : c.reversed());
        }
        ArrayNode a = Json.MAPPER.createArrayNode();
        for (IftExample e : pick.subList(0, Math.min(EXAMPLES, pick.size()))) {
            ObjectNode x = MitigationData.toJson(e);
            if (scores != null) {
                putNumber(x, "score", scores[index.get(e)]);
            }
            a.add(x);
        }
        return a;
    }

    static String markdown(ObjectNode o, boolean hasHistogram) {
        StringBuilder b = new StringBuilder();
        b.append("# Filter report: ").append(o.path("selector").asText()).append("\n\n");
        b.append(String.format(Locale.ROOT, "Kept %d of %d examples; dropped %d (%.1f%%).%n",
                o.path("kept").asInt(), o.path("total").asInt(), o.path("dropped").asInt(),
                100 * o.path("dropped_fraction").asDouble()));
        if (o.has("threshold")) {
            b.append(String.format(Locale.ROOT, "%nScore: mean target loss per token without the context "
                    + "(nats). Dropped: score below %.4f (min %.4f, median %.4f, max %.4f).%n",
                    o.path("threshold").asDouble(), o.path("score_min").asDouble(), o.path("score_median").asDouble(),
                    o.path("score_max").asDouble()));
        }
        if (o.has("auroc_context_critical")) {
            b.append(String.format(Locale.ROOT, "%nAUROC of the score for telling context_critical examples from "
                    + "the rest: %.3f (0.5 = chance).%n", o.path("auroc_context_critical").asDouble()));
        }
        if (o.has("kinds")) {
            b.append("\n| kind | n | dropped | dropped % | mean score |\n|---|---:|---:|---:|---:|\n");
            o.get("kinds").fields().forEachRemaining(e -> b.append(String.format(Locale.ROOT, "| %s | %d | %d | %.1f | %s |%n",
                    e.getKey(), e.getValue().path("n").asInt(), e.getValue().path("dropped").asInt(),
                    100 * e.getValue().path("dropped_fraction").asDouble(),
                    e.getValue().has("mean_score") ? String.format(Locale.ROOT, "%.4f",
                            e.getValue().path("mean_score").asDouble()) : "—")));
        }
        if (o.has("drop_reasons") && !o.get("drop_reasons").isEmpty()) {
            b.append("\nMost frequent reasons: ");
            List<String> parts = new ArrayList<>();
            o.get("drop_reasons").fields().forEachRemaining(e -> {
                if (parts.size() < 15) {
                    parts.add(e.getKey() + " (" + e.getValue().asInt() + ")");
                }
            });
            b.append(String.join(", ", parts)).append(".\n");
        }
        if (hasHistogram) {
            b.append("\n![scores](scores.png)\n");
        }
        section(b, "Dropped (examples)", o.path("examples_dropped"));
        section(b, "Kept (examples)", o.path("examples_kept"));
        return b.toString();
    }

    private static void section(StringBuilder b, String title, com.fasterxml.jackson.databind.JsonNode list) {
        b.append("\n## ").append(title).append("\n\n");
        if (list.isEmpty()) {
            b.append("(none)\n");
        }
        for (var e : list) {
            b.append("- ");
            if (e.has("score")) {
                b.append(String.format(Locale.ROOT, "**%.3f** ", e.path("score").asDouble()));
            }
            if (e.has("reason")) {
                b.append("[").append(oneLine(e.path("reason").asText(), 40)).append("] ");
            }
            b.append(oneLine(e.path("instruction").asText(), 120));
            if (!e.path("input").asText().isBlank()) {
                b.append(" | input: ").append(oneLine(e.path("input").asText(), 80));
            }
            b.append(" → ").append(oneLine(e.path("output").asText(), 80)).append('\n');
        }
    }

    static String oneLine(String s, int max) {
        String t = s.replaceAll("\\s+", " ").strip().replace("|", "\\|");
        return t.length() <= max ? t : t.substring(0, max - 1) + "…";
    }

    private static void putNumber(ObjectNode o, String f, double v) {
        if (Double.isFinite(v)) {
            o.put(f, v);
        } else {
            o.putNull(f);
        }
    }
}
