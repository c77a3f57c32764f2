package cpi.report;

import cpi.CpiVersion;
import cpi.util.AtomicFiles;
import cpi.util.Json;
import cpi.util.Progress;
import cpi.util.UserError;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * The static HTML report: one {@code index.html} with inline CSS and a little inline JS, charts as SVG
 * (and PNG) files under {@code charts/}, and the raw files it shows copied under {@code data/}. No CDN, no
 * fonts or scripts from the network: the directory can be zipped, mailed and opened offline.
 *
 * <p>Inputs may be run directories (trajectory.jsonl / run.json), eval output directories
 * (summary.json + items), theory directories (theory.json / grid.json), or a directory whose immediate
 * subdirectories are any of those (e.g. a demo's output with one run per variant).
 */
public final class HtmlReport {
    private HtmlReport() {}

    /** Rows of an items/flip table beyond which the page links to the JSONL instead of growing further. */
    static final int MAX_TABLE_ROWS = 2000;

    /** Writes {@code outDir/index.html} (plus charts/ and data/) for the given inputs and returns its path. */
    public static Path write(List<Path> inputs, Path outDir) {
        return write(ReportInputs.resolve(inputs), outDir);
    }

    /** As above for inputs already loaded (e.g. to also print their summary table). */
    public static Path write(ReportInputs in, Path outDir) {
        try {
            Files.createDirectories(outDir);
        } catch (IOException e) {
            throw new UserError("cannot create report directory " + outDir + ": " + e.getMessage());
        }
        return new Builder(in, outDir).build();
    }

    /** A chart written to charts/: title, caption, nominal size and the two files. */
    record Chart(String title, String caption, int width, int height, String png, String svg) {}

    private static final class Builder {
        private final ReportInputs in;
        private final Path out;
        private final StringBuilder h = new StringBuilder(64 * 1024);
        private final Set<String> slugs = new HashSet<>();
        private final Map<Object, String> slugOf = new LinkedHashMap<>();
        private final Map<String, List<String[]>> files = new LinkedHashMap<>(); // input label → [href, name, size]
        private Progress progress;
        private ExecutorService renderer;
        private final List<Future<?>> pending = new ArrayList<>();

        Builder(ReportInputs in, Path out) {
            this.in = in;
            this.out = out;
            in.runs().forEach(r -> slugOf.put(r, slug(r.name())));
            in.evals().forEach(e -> slugOf.put(e, slug("eval-" + e.name())));
            in.theories().forEach(t -> slugOf.put(t, slug("theory-" + RunData.dirName(t))));
        }

        Path build() {
            long charts = 4L * in.runs().size() + (in.runs().size() > 1 ? 2 : 0) + 2L * in.theories().size();
            // Charts render in parallel (PNG + SVG take a few hundred ms each); the page is assembled meanwhile.
            int threads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
            ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "cpi-report-chart");
                t.setDaemon(true);
                return t;
            });
            try (Progress p = Progress.start("report: charts", Math.max(1, charts))) {
                progress = p;
                renderer = pool;
                head();
                summary();
                comparison();
                runs();
                flips();
                evals();
                theories();
                provenance();
                rawFiles();
                tail();
                for (Future<?> f : pending) {
                    f.get();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while rendering charts", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException re) {
                    throw re;
                }
                throw new IllegalStateException(e.getCause());
            } finally {
                pool.shutdownNow();
            }
            Path index = out.resolve("index.html");
            AtomicFiles.writeString(index, h.toString());
            return index;
        }

        // ---- page frame ----

        private void head() {
            List<String> names = new ArrayList<>();
            in.runs().forEach(r -> names.add(r.name()));
            in.evals().forEach(e -> names.add(e.name()));
            in.theories().forEach(t -> names.add(RunData.dirName(t)));
            String title = "cpi report · " + String.join(", ", names.size() > 4 ? names.subList(0, 4) : names)
                    + (names.size() > 4 ? ", …" : "");
            h.append("<!doctype html>\n<html lang=\"en\" data-cpi-report=\"1\">\n<head>\n<meta charset=\"utf-8\">\n")
                    .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                    .append("<meta name=\"generator\" content=\"cpi ").append(Html.esc(CpiVersion.VERSION)).append("\">\n")
                    .append("<title>").append(Html.esc(title)).append("</title>\n<style>\n")
                    .append(resource("report.css")).append("</style>\n<script>\n").append(resource("report.js"))
                    .append("</script>\n</head>\n<body>\n");
            List<String> parts = new ArrayList<>();
            count(parts, in.runs().size(), "run");
            count(parts, in.evals().size(), "evaluation");
            count(parts, in.theories().size(), "theory simulation");
            h.append("<header class=\"top\"><div class=\"wrap\"><h1>Context-parametric inversion report</h1>")
                    .append("<div class=\"sub\">").append(Html.esc(String.join(" · ", parts))).append(" · generated ")
                    .append(Html.esc(ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z"))))
                    .append(" by <code>cpi ").append(Html.esc(CpiVersion.VERSION)).append("</code></div></div></header>\n");
            h.append("<nav class=\"toc\"><div class=\"wrap\">");
            if (!in.runs().isEmpty()) {
                h.append("<a href=\"#summary\">Summary</a>");
                if (in.runs().size() > 1) {
                    h.append("<a href=\"#compare\">Comparison</a>");
                }
                for (RunData r : in.runs()) {
                    h.append("<a href=\"#run-").append(slugOf.get(r)).append("\">").append(Html.esc(r.name())).append("</a>");
                }
                h.append("<a href=\"#flips\">Flips</a>");
            }
            if (!in.evals().isEmpty()) {
                h.append("<a href=\"#eval\">Evaluations</a>");
            }
            if (!in.theories().isEmpty()) {
                h.append("<a href=\"#theory\">Theory</a>");
            }
            h.append("<a href=\"#provenance\">Provenance</a><a href=\"#files\">Raw data</a></div></nav>\n");
            h.append("<main><div class=\"wrap\">\n");
        }

        private static void count(List<String> parts, int n, String what) {
            if (n > 0) {
                parts.add(n + " " + what + (n == 1 ? "" : "s"));
            }
        }

        private void tail() {
            h.append("</div></main>\n<footer><div class=\"wrap\">Generated by cpi ").append(Html.esc(CpiVersion.VERSION))
                    .append(". Self-contained: open <code>index.html</code> offline; charts are in <code>charts/</code> ")
                    .append("(SVG and PNG), the raw records in <code>data/</code>.</div></footer>\n</body>\n</html>\n");
        }

        // ---- runs ----

        private void summary() {
            if (in.runs().isEmpty()) {
                return;
            }
            h.append("<section id=\"summary\"><h2>Summary</h2><p class=\"lead\">Counterfactual accuracy is how often the "
                    + "model answers from a context that contradicts what it memorised. <em>Inversion</em>: it rises "
                    + "during instruction finetuning, then falls beyond the confidence intervals while capability keeps "
                    + "rising. Peak is the highest measured value; drop is peak − final.</p>");
            h.append("<div class=\"kpis\">");
            for (RunData r : in.runs()) {
                kpi(r);
            }
            h.append("</div>");
            h.append("<div class=\"table-wrap\"><table class=\"sortable\" id=\"summary-table\"><thead><tr>")
                    .append("<th>Run</th><th>Dataset</th><th>Trend</th><th class=\"num\">Start</th><th class=\"num\">Peak</th>")
                    .append("<th class=\"num\">Peak step</th><th class=\"num\">Final</th><th class=\"num\">Drop</th>")
                    .append("<th>Inversion</th><th class=\"num\">Final param.</th><th class=\"num\">Final capability</th>")
                    .append("</tr></thead><tbody>");
            int rows = 0;
            for (RunData r : in.runs()) {
                for (String ds : r.datasets()) {
                    DatasetSummary s = r.summary(ds);
                    h.append("<tr><td class=\"run\">").append(Html.esc(r.name())).append("</td><td>").append(Html.esc(ds))
                            .append("</td><td data-v=\"").append(s.drop()).append("\">")
                            .append(Html.sparkline(r.curve(ds, RunData.CF), "#0072b2")).append("</td>")
                            .append(Html.numCell(s.start())).append(Html.numCell(s.peak()))
                            .append("<td class=\"num\" data-v=\"").append(s.peakStep()).append("\">").append(s.peakStep())
                            .append("</td>").append(Html.numCell(s.finalValue())).append(Html.numCell(s.drop()))
                            .append("<td data-v=\"").append(s.inversion() == null ? "" : s.inversion() ? "1" : "0")
                            .append("\">").append(Html.badge(s.inversion())).append("</td>")
                            .append(Html.numCell(s.finalParametric())).append(Html.numCell(s.finalCapability()))
                            .append("</tr>");
                    rows++;
                }
            }
            if (rows == 0) {
                h.append("<tr><td colspan=\"11\" class=\"muted\">No run has a counterfactual accuracy yet.</td></tr>");
            }
            h.append("</tbody></table></div></section>\n");
        }

        private void kpi(RunData r) {
            double peak = 0;
            double fin = 0;
            double drop = 0;
            int n = 0;
            int inv = 0;
            int known = 0;
            double cap = Double.NaN;
            for (String ds : r.datasets()) {
                DatasetSummary s = r.summary(ds);
                peak += s.peak();
                fin += s.finalValue();
                drop += s.drop();
                n++;
                if (s.inversion() != null) {
                    known++;
                    inv += s.inversion() ? 1 : 0;
                }
                cap = s.finalCapability();
            }
            h.append("<div class=\"card kpi\"><div class=\"kind\">").append(Html.esc(r.kind().isEmpty() ? "run" : r.kind()))
                    .append("</div><h4 title=\"").append(Html.esc(r.name())).append("\"><a href=\"#run-")
                    .append(slugOf.get(r)).append("\">").append(Html.esc(r.name())).append("</a></h4>");
            if (n == 0) {
                h.append("<div class=\"foot\">no counterfactual accuracy recorded</div></div>");
                return;
            }
            h.append("<div class=\"nums\"><div class=\"num\">").append(Html.num(peak / n)).append("<small>peak</small></div>")
                    .append("<div class=\"num\">").append(Html.num(fin / n)).append("<small>final</small></div>")
                    .append("<div class=\"num drop\">").append(Html.num(drop / n)).append("<small>drop</small></div></div>")
                    .append("<div class=\"foot\">").append(n > 1 ? "mean over " + n + " datasets · " : "")
                    .append(known == 0 ? "inversion unknown (no CIs)" : "inversion in " + inv + " of " + known)
                    .append(Double.isFinite(cap) ? " · capability " + Html.num(cap) : "").append("</div></div>");
        }

        private void comparison() {
            if (in.runs().size() < 2) {
                return;
            }
            h.append("<section id=\"compare\"><h2>Comparison</h2><p class=\"lead\">All runs overlaid: counterfactual "
                    + "accuracy solid (with its CI band), parametric accuracy dashed, each run's peak ringed.</p>"
                    + "<div class=\"figs\">");
            figure(Charts.overlay(in.runs(), TrajectoryCharts.XAxis.STEP), "compare-step",
                    "Counterfactual accuracy vs step", "one panel per dataset");
            figure(Charts.overlay(in.runs(), TrajectoryCharts.XAxis.CAPABILITY), "compare-capability",
                    "Counterfactual accuracy vs capability", "the paper's x-axis: capability score at each evaluated step");
            h.append("</div></section>\n");
        }

        private void runs() {
            for (RunData r : in.runs()) {
                String slug = slugOf.get(r);
                List<String> meta = new ArrayList<>();
                if (!r.kind().isEmpty()) {
                    meta.add(Html.esc(r.kind()));
                }
                if (r.dir() != null) {
                    meta.add("<code>" + Html.esc(r.dir().toString()) + "</code>");
                }
                h.append("<section id=\"run-").append(slug).append("\"><div class=\"run-head\"><h2>")
                        .append(Html.esc(r.name())).append("</h2><span class=\"kind\">")
                        .append(String.join(" · ", meta)).append("</span></div><div class=\"figs\">");
                int before = h.length();
                figure(TrajectoryCharts.accuracy(r, TrajectoryCharts.XAxis.STEP), slug + "-accuracy-step",
                        "Counterfactual and parametric accuracy vs step", "95% CI bands; peak ringed");
                figure(TrajectoryCharts.accuracy(r, TrajectoryCharts.XAxis.CAPABILITY), slug + "-accuracy-capability",
                        "Accuracy vs capability score", "CI whiskers; x = _capability/capability at the same step");
                figure(TrajectoryCharts.attention(r), slug + "-attention",
                        "Attention on context vs question tokens", "mean over layers and heads, on the conflict prompts");
                figure(TrajectoryCharts.training(r), slug + "-training", "Training", "loss (smoothed) and capability");
                if (h.length() == before) {
                    h.append("<div class=\"empty\">This run has no trajectory records yet.</div>");
                }
                h.append("</div></section>\n");
                if (r.dir() != null) { // an in-memory run has no files to copy
                    copy(r.name(), r.dir(), r.dir().resolve("run.json"));
                    copy(r.name(), r.dir(), r.dir().resolve("trajectory.jsonl"));
                    copy(r.name(), r.dir(), r.dir().resolve("analysis.json"));
                }
            }
        }

        private void figure(Figure f, String base, String title, String caption) {
            if (f == null) {
                tick();
                return;
            }
            Path dir = out.resolve("charts");
            pending.add(renderer.submit(() -> {
                f.write(dir, base);
                tick();
            }));
            h.append("<figure><div class=\"fig-scroll\"><img").append(f.columns() > 1 ? " class=\"multi\"" : "")
                    .append(" src=\"charts/").append(Html.esc(base)).append(".svg\" width=\"").append(f.width())
                    .append("\" height=\"").append(f.height()).append("\" alt=\"").append(Html.esc(title)).append("\"></div>")
                    .append("<figcaption><span><b>").append(Html.esc(title)).append("</b> — ").append(Html.esc(caption))
                    .append("</span><span><a href=\"charts/").append(Html.esc(base)).append(".svg\">SVG</a> · ")
                    .append("<a href=\"charts/").append(Html.esc(base)).append(".png\">PNG</a></span></figcaption></figure>");
        }

        private synchronized void tick() {
            progress.step();
        }

        // ---- flips ----

        private void flips() {
            if (in.runs().isEmpty()) {
                return;
            }
            List<Flips.FlipSet> sets = new ArrayList<>();
            for (RunData r : in.runs()) {
                for (String ds : r.datasets()) {
                    Flips.FlipSet fs = Flips.of(r, ds);
                    if (fs != null) {
                        sets.add(fs);
                        copy(r.name(), r.dir(), fs.peakFile());
                        copy(r.name(), r.dir(), fs.finalFile());
                    }
                }
            }
            h.append("<section id=\"flips\"><h2>Flips: context → parametric</h2><p class=\"lead\">Items that followed "
                    + "the context at the peak of counterfactual accuracy and give the memorised answer at the final "
                    + "step, from <code>eval/step-N/items.DATASET.jsonl</code> (the evaluation step nearest the peak, "
                    + "and the last).</p>");
            if (sets.isEmpty()) {
                h.append("<div class=\"empty\">No per-item records at two steps; flips need "
                        + "<code>eval/step-N/items.DATASET.jsonl</code> at the peak and at the final step.</div></section>\n");
                return;
            }
            h.append("<ul class=\"flipsum\">");
            int total = 0;
            for (Flips.FlipSet fs : sets) {
                total += fs.toParametric().size();
                h.append("<li><b>").append(Html.esc(fs.run())).append("</b> · ").append(Html.esc(fs.dataset())).append(": ")
                        .append(fs.toParametric().size()).append(" of ").append(fs.compared())
                        .append(" items flipped context → parametric between step ").append(fs.peakStep())
                        .append(" and step ").append(fs.finalStep()).append("; ").append(fs.toContext())
                        .append(" flipped the other way.</li>");
            }
            h.append("</ul><div class=\"search\"><input type=\"search\" placeholder=\"Filter flips: id, question, answer, "
                    + "output…\" aria-label=\"Filter flips\" data-filter=\"flip-table\" data-count=\"flip-count\">"
                    + "<span class=\"muted\" id=\"flip-count\"></span></div>");
            h.append("<div class=\"table-wrap scroll\"><table class=\"flips sortable\" id=\"flip-table\"><thead><tr>")
                    .append("<th>Run</th><th>Item</th><th>Question</th><th>Context answer</th>")
                    .append("<th>Memorised answer</th><th>At peak</th><th>At final</th></tr></thead><tbody>");
            int rows = 0;
            for (Flips.FlipSet fs : sets) {
                for (Flips.Flip f : fs.toParametric()) {
                    if (rows++ >= MAX_TABLE_ROWS) {
                        break;
                    }
                    h.append("<tr><td class=\"run\">").append(Html.esc(fs.run())).append("<div class=\"muted ds\">")
                            .append(Html.esc(fs.dataset())).append("</div></td><td class=\"mono\">").append(Html.esc(f.id()))
                            .append(f.stratum().isEmpty() ? "" : "<div class=\"muted\">" + Html.esc(f.stratum()) + "</div>")
                            .append("</td><td class=\"q\">").append(promptCell(f.prompt())).append("</td><td class=\"ans-cf\">")
                            .append(Html.esc(f.counterfactualAnswer())).append("</td><td class=\"ans-par\">")
                            .append(Html.esc(f.parametricAnswer())).append("</td><td class=\"out\">")
                            .append(Html.esc(f.peakOutput().strip())).append("</td><td class=\"out\">")
                            .append(Html.esc(f.finalOutput().strip())).append("</td></tr>");
                }
            }
            h.append("</tbody></table></div>");
            if (total > MAX_TABLE_ROWS) {
                h.append("<p class=\"muted\">Showing the first ").append(MAX_TABLE_ROWS).append(" of ").append(total)
                        .append(" flips; all items are in the JSONL files under Raw data.</p>");
            }
            h.append("</section>\n");
        }

        private static String promptCell(String prompt) {
            String head = Items.headline(prompt);
            if (head.length() > 140) {
                head = head.substring(0, 137) + "…";
            }
            return "<details><summary>" + Html.esc(head) + "</summary><pre>" + Html.esc(prompt) + "</pre></details>";
        }

        // ---- evaluations ----

        private void evals() {
            if (in.evals().isEmpty()) {
                return;
            }
            h.append("<section id=\"eval\"><h2>Evaluations</h2><p class=\"lead\">Accuracy under knowledge conflicts "
                    + "(bars; whiskers are 95% CIs). Memorisation ratio = p<sub>par</sub> / (p<sub>par</sub> + "
                    + "p<sub>cf</sub>).</p>");
            for (EvalData e : in.evals()) {
                String slug = slugOf.get(e);
                JsonNode prov = e.provenance();
                h.append("<h3 id=\"").append(slug).append("\">").append(Html.esc(e.name()));
                if (prov != null && prov.hasNonNull("model")) {
                    h.append(" <span class=\"muted\">· ").append(Html.esc(prov.get("model").asText())).append("</span>");
                }
                h.append("</h3><div class=\"table-wrap\"><table class=\"sortable\"><thead><tr><th>Dataset</th>")
                        .append("<th class=\"num\">n</th><th>Counterfactual</th><th>Parametric</th>")
                        .append("<th class=\"num\">Other</th><th class=\"num\">Memorisation ratio</th>")
                        .append("<th class=\"num\">Failed</th></tr></thead><tbody>");
                for (String ds : e.datasets()) {
                    JsonNode d = e.dataset(ds);
                    double cf = d.path("counterfactual_accuracy").asDouble(Double.NaN);
                    double par = d.path("parametric_accuracy").asDouble(Double.NaN);
                    h.append("<tr><td>").append(Html.esc(ds)).append("</td><td class=\"num\">")
                            .append(d.path("n").asLong()).append("</td><td data-v=\"").append(cf).append("\">")
                            .append(Html.bar("cf", cf, ci(d, "counterfactual_ci", 0), ci(d, "counterfactual_ci", 1)))
                            .append("</td><td data-v=\"").append(par).append("\">")
                            .append(Html.bar("par", par, ci(d, "parametric_ci", 0), ci(d, "parametric_ci", 1)))
                            .append("</td>").append(Html.numCell(d.path("other_rate").asDouble(Double.NaN)))
                            .append(Html.numCell(d.path("memorization_ratio").asDouble(Double.NaN)))
                            .append("<td class=\"num\">").append(d.path("failed").asLong(0)).append("</td></tr>");
                }
                h.append("</tbody></table></div>");
                evalItems(e, slug);
                copy(e.name(), e.dir(), e.dir().resolve(EvalData.SUMMARY));
                e.itemsFiles().forEach(f -> copy(e.name(), e.dir(), f));
            }
            h.append("</section>\n");
        }

        private static double ci(JsonNode d, String field, int i) {
            JsonNode a = d.get(field);
            return a != null && a.isArray() && a.size() == 2 ? a.get(i).asDouble() : Double.NaN;
        }

        private void evalItems(EvalData e, String slug) {
            List<Path> itemFiles = e.itemsFiles();
            if (itemFiles.isEmpty()) {
                return;
            }
            String table = slug + "-items";
            StringBuilder rows = new StringBuilder();
            int n = 0;
            int total = 0;
            for (String ds : e.datasets()) {
                Path f = e.itemsFile(ds);
                if (!Files.isRegularFile(f)) {
                    continue;
                }
                for (JsonNode it : Items.read(f).values()) {
                    total++;
                    if (n >= MAX_TABLE_ROWS) {
                        continue;
                    }
                    n++;
                    rows.append("<tr><td>").append(Html.esc(ds)).append("</td><td class=\"mono\">")
                            .append(Html.esc(Items.text(it, "id"))).append("</td><td>")
                            .append(Html.labelBadge(Items.label(it))).append("</td><td class=\"q\">")
                            .append(promptCell(Items.text(it, "prompt"))).append("</td><td class=\"ans-cf\">")
                            .append(Html.esc(Items.text(it, "counterfactual_answer"))).append("</td><td class=\"ans-par\">")
                            .append(Html.esc(Items.text(it, "parametric_answer"))).append("</td><td class=\"out\">")
                            .append(Html.esc(Items.text(it, "output").strip())).append("</td></tr>");
                }
            }
            h.append("<details class=\"json\"><summary>Per-item results (").append(total).append(" items)</summary>")
                    .append("<div class=\"search\"><input type=\"search\" placeholder=\"Filter items: label, id, question, "
                            + "output…\" aria-label=\"Filter items\" data-filter=\"").append(table)
                    .append("\" data-count=\"").append(table).append("-count\"><span class=\"muted\" id=\"").append(table)
                    .append("-count\"></span></div><div class=\"table-wrap scroll\"><table class=\"flips sortable\" id=\"")
                    .append(table).append("\"><thead><tr><th>Dataset</th><th>Item</th><th>Label</th><th>Question</th>")
                    .append("<th>Context answer</th><th>Memorised answer</th><th>Output</th></tr></thead><tbody>")
                    .append(rows).append("</tbody></table></div>");
            if (total > n) {
                h.append("<p class=\"muted\">Showing the first ").append(n).append(" of ").append(total)
                        .append(" items; all are in the JSONL files under Raw data.</p>");
            }
            h.append("</details>");
        }

        // ---- theory ----

        private void theories() {
            if (in.theories().isEmpty()) {
                return;
            }
            h.append("<section id=\"theory\"><h2>Theory</h2><p class=\"lead\">The one-layer attention model of the "
                    + "paper's §5. M<sub>C</sub> is the test items' relative preference for the context answer; the "
                    + "projections show the gradient pushing attention toward context (θ<sub>C</sub>) or subject "
                    + "(θ<sub>S</sub>) tokens.</p>");
            for (Path t : in.theories()) {
                String slug = slugOf.get(t);
                h.append("<h3>").append(Html.esc(RunData.dirName(t))).append("</h3>");
                Path tf = t.resolve(TheoryReport.THEORY_FILE);
                Path gf = t.resolve(TheoryReport.GRID_FILE);
                h.append("<div class=\"figs\">");
                if (Files.isRegularFile(tf)) {
                    JsonNode theory = Json.read(tf);
                    JsonNode peak = theory.get("peak");
                    String cap = peak != null && peak.has("step")
                            ? "peak M_C " + Html.num(peak.path("mc_test").asDouble(Double.NaN)) + " at step "
                                    + peak.get("step").asText()
                            : "trajectory of the simulator";
                    figure(TheoryReport.trajectoryFigure(theory, tf), slug, "Simulator trajectory", cap);
                    copy(RunData.dirName(t), t, tf);
                } else {
                    tick();
                }
                if (Files.isRegularFile(gf)) {
                    figure(TheoryReport.gridFigure(Json.read(gf), gf), slug + "-grid", "Grid: drop of test M_C",
                            "peak − final M_C over δ_C × δ_M");
                    copy(RunData.dirName(t), t, gf);
                } else {
                    tick();
                }
                h.append("</div>");
            }
            h.append("</section>\n");
        }

        // ---- provenance and files ----

        private void provenance() {
            h.append("<section id=\"provenance\"><h2>Provenance</h2><p class=\"lead\">Where each result came from: "
                    + "model fingerprint, dataset hashes, template, seed, configuration and cpi version.</p>"
                    + "<div class=\"grid2\">");
            for (RunData r : in.runs()) {
                JsonNode run = r.runJson();
                Map<String, String> extra = new LinkedHashMap<>();
                extra.put("run", "<b>" + Html.esc(r.name()) + "</b>");
                if (r.dir() != null) {
                    extra.put("directory", "<code>" + Html.esc(r.dir().toString()) + "</code>");
                }
                h.append("<div class=\"card\">");
                if (run == null) {
                    h.append(Html.provenance(null, extra)).append("<p class=\"muted\">No run.json in this directory.</p>");
                } else {
                    JsonNode prov = run.has("provenance") ? run.get("provenance") : run;
                    if (!r.kind().isEmpty()) {
                        extra.put("kind", Html.esc(r.kind()));
                    }
                    h.append(Html.provenance(prov, extra));
                    if (run.has("config") && !(prov.has("config") && prov.get("config").equals(run.get("config")))) {
                        h.append(Html.jsonDetails("run config", run.get("config")));
                    }
                }
                if (r.analysis() != null) {
                    h.append(Html.jsonDetails("analysis.json", r.analysis()));
                }
                h.append("</div>");
            }
            for (EvalData e : in.evals()) {
                Map<String, String> extra = new LinkedHashMap<>();
                extra.put("evaluation", "<b>" + Html.esc(e.name()) + "</b>");
                extra.put("directory", "<code>" + Html.esc(e.dir().toString()) + "</code>");
                h.append("<div class=\"card\">").append(Html.provenance(e.provenance(), extra)).append("</div>");
            }
            for (Path t : in.theories()) {
                Map<String, String> extra = new LinkedHashMap<>();
                extra.put("theory", "<b>" + Html.esc(RunData.dirName(t)) + "</b>");
                extra.put("directory", "<code>" + Html.esc(t.toString()) + "</code>");
                Path tf = t.resolve(TheoryReport.THEORY_FILE);
                Path gf = t.resolve(TheoryReport.GRID_FILE);
                JsonNode params = Files.isRegularFile(tf) ? Json.read(tf).get("params")
                        : Files.isRegularFile(gf) ? Json.read(gf).get("params") : null;
                h.append("<div class=\"card\">").append(Html.provenance(params, extra)).append("</div>");
            }
            h.append("</div></section>\n");
        }

        private void rawFiles() {
            h.append("<section id=\"files\"><h2>Raw data</h2><p class=\"lead\">Copies of the records this page was "
                    + "built from (JSON Lines: one JSON object per line).</p>");
            if (files.isEmpty()) {
                h.append("<div class=\"empty\">No files.</div>");
            }
            for (Map.Entry<String, List<String[]>> e : files.entrySet()) {
                h.append("<h3>").append(Html.esc(e.getKey())).append("</h3><ul class=\"files\">");
                for (String[] f : e.getValue()) {
                    h.append("<li><a href=\"").append(Html.esc(f[0])).append("\">").append(Html.esc(f[1]))
                            .append("</a> <span class=\"muted\">").append(Html.esc(f[2])).append("</span></li>");
                }
                h.append("</ul>");
            }
            h.append("</section>\n");
        }

        /** Copies {@code file} (inside {@code root}) to data/SLUG/relative-path and lists it under Raw data. */
        private void copy(String label, Path root, Path file) {
            if (file == null || !Files.isRegularFile(file)) {
                return;
            }
            Object key = in.runs().stream().filter(r -> root.equals(r.dir())).findFirst().map(r -> (Object) r)
                    .or(() -> in.evals().stream().filter(e -> e.dir().equals(root)).findFirst().map(e -> (Object) e))
                    .orElse(root);
            String slug = slugOf.getOrDefault(key, slug(label));
            String rel = root.relativize(file).toString().replace('\\', '/');
            String href = "data/" + slug + "/" + rel;
            List<String[]> list = files.computeIfAbsent(label, k -> new ArrayList<>());
            if (list.stream().anyMatch(f -> f[0].equals(href))) {
                return;
            }
            Path target = out.resolve(href);
            try {
                if (!target.toAbsolutePath().normalize().equals(file.toAbsolutePath().normalize())) {
                    AtomicFiles.write(target, tmp -> Files.copy(file, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING));
                }
                list.add(new String[] {href, rel, Html.humanSize(Files.size(file))});
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }

        private String slug(String name) {
            String base = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-+|-+$)", "");
            if (base.isEmpty()) {
                base = "run";
            }
            String s = base;
            for (int k = 2; !slugs.add(s); k++) {
                s = base + "-" + k;
            }
            return s;
        }
    }

    static String resource(String name) {
        try (InputStream is = HtmlReport.class.getResourceAsStream(name)) {
            if (is == null) {
                throw new IllegalStateException("missing resource cpi/report/" + name);
            }
            return new String(is.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
