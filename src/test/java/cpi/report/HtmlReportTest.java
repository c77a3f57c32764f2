package cpi.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cpi.util.AtomicFiles;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTML report, generated once from synthetic runs, an eval output and a theory output, checked as
 * files and in headless Chromium (charts load, no console output, filtering works) with a screenshot in
 * target/report-screenshot.png.
 */
class HtmlReportTest {
    @TempDir
    static Path tmp;
    static Path out;
    static String html;
    static List<RunData> runs;

    @BeforeAll
    static void generate() throws Exception {
        Path base = SyntheticRuns.run(tmp.resolve("in/baseline"), "baseline", 1.0);
        Path filt = SyntheticRuns.run(tmp.resolve("in/filtered"), "filtered", 0.2);
        Path eval = SyntheticRuns.eval(tmp.resolve("in/eval-llama"));
        Path theory = SyntheticRuns.theory(tmp.resolve("in/theory-default"), true);
        out = tmp.resolve("report");
        Path index = HtmlReport.write(List.of(base, filt, eval, theory), out);
        assertEquals(out.resolve("index.html"), index);
        html = Files.readString(index);
        runs = List.of(RunData.load(base), RunData.load(filt));
    }

    static List<String> all(String regex, String text) {
        List<String> found = new ArrayList<>();
        Matcher m = Pattern.compile(regex).matcher(text);
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }

    @Test
    void everyChartAndDataLinkPointsAtAFileInTheReport() {
        List<String> imgs = all("<img[^>]* src=\"([^\"]+)\"", html);
        // 2 runs × 4 figures, 2 comparison figures, theory trajectory + grid.
        assertEquals(12, imgs.size(), imgs.toString());
        for (String src : imgs) {
            assertTrue(src.startsWith("charts/") && src.endsWith(".svg"), src);
            assertTrue(Files.isRegularFile(out.resolve(src)), src);
            assertTrue(Files.isRegularFile(out.resolve(src.replace(".svg", ".png"))), src + " has no PNG");
        }
        List<String> data = all("href=\"(data/[^\"]+)\"", html);
        assertTrue(data.contains("data/baseline/trajectory.jsonl") && data.contains("data/baseline/run.json"), data.toString());
        assertTrue(data.contains("data/eval-eval-llama/items.cf_quotes.jsonl"), data.toString());
        assertTrue(data.contains("data/theory-theory-default/grid.json"), data.toString());
        for (String d : data) {
            assertTrue(Files.isRegularFile(out.resolve(d)), d);
        }
    }

    @Test
    void pageNeedsNoNetwork() {
        assertFalse(html.matches("(?s).*(src|href)=\"(https?:)?//.*"), "remote src/href");
        assertFalse(html.contains("@import") || html.contains("url(http"), "remote CSS");
        assertTrue(html.contains("<style>") && html.contains("<script>"), "CSS and JS are inline");
    }

    @Test
    void summaryListsEveryRunAndDataset() {
        String summary = html.substring(html.indexOf("id=\"summary-table\""), html.indexOf("</table>",
                html.indexOf("id=\"summary-table\"")));
        assertEquals(6, all("<td class=\"run\">([^<]+)</td>", summary).size());
        for (RunData r : runs) {
            for (String ds : r.datasets()) {
                DatasetSummary s = r.summary(ds);
                assertTrue(summary.contains(Html.num(s.drop())), r.name() + "/" + ds + " drop " + s.drop());
            }
        }
        assertEquals(3, all("(<span class=\"badge yes\">)", summary).size(), "baseline inverts on 3 datasets");
    }

    @Test
    void flipTableHasEveryFlipAndEscapesModelOutput() {
        int expected = 0;
        for (RunData r : runs) {
            for (String ds : r.datasets()) {
                expected += Flips.of(r, ds).toParametric().size();
            }
        }
        String table = html.substring(html.indexOf("id=\"flip-table\""), html.indexOf("</table>",
                html.indexOf("id=\"flip-table\"")));
        assertEquals(expected, all("(<tr><td class=\"run\">)", table).size());
        assertTrue(table.contains("baseline<div class=\"muted ds\">cf_quotes</div>"), "run and dataset per row");
        // Synthetic outputs contain markup; it must show as text, never become markup.
        assertFalse(html.contains("<b>&amp;</b>"));
        assertTrue(table.contains("&lt;b&gt;&amp;amp;&lt;/b&gt;"));
    }

    @Test
    void opensInHeadlessChromiumWithEveryChartLoadedAndNoConsoleOutput() throws Exception {
        Chromium browser = Chromium.require();
        String url = out.resolve("index.html").toUri().toString();
        Chromium.Result r = browser.dumpDom(url, tmp);
        assertEquals(0, r.exitCode(), r.log());
        assertTrue(r.dom().contains("data-report-ready=\"1\""), "the page's load handler ran");
        assertEquals("12", attr(r.dom(), "data-images-total"));
        assertEquals("12", attr(r.dom(), "data-images-ok"), "broken: " + attr(r.dom(), "data-images-broken"));
        assertEquals("", attr(r.dom(), "data-images-broken"));
        assertEquals(null, attr(r.dom(), "data-errors"), "errors recorded by the page");
        assertEquals(List.of(), r.consoleLines(), "console output");

        Path shot = Path.of("target", "report-screenshot.png");
        Chromium.Result s = browser.screenshot(url, shot, 1280, 2000, tmp);
        assertEquals(0, s.exitCode(), s.log());
        BufferedImage img = javax.imageio.ImageIO.read(shot.toFile());
        assertEquals(1280, img.getWidth());
        assertTrue(Pixels.count(img, Theme.COUNTERFACTUAL, 20) > 500, "the screenshot shows the charts' curves");
        browser.screenshot(url, Path.of("target", "report-screenshot-full.png"), 1280, 7200, tmp);
    }

    @Test
    void searchBoxFiltersTheFlipTable() throws Exception {
        Chromium browser = Chromium.require();
        // ?q= pre-fills the search boxes; "country31?" matches item 31's question only.
        Chromium.Result r = browser.dumpDom(out.resolve("index.html").toUri() + "?q=country31%3F", tmp);
        String dom = r.dom();
        String counter = dom.substring(dom.indexOf("id=\"flip-count\">") + 16, dom.indexOf("</span>",
                dom.indexOf("id=\"flip-count\">")));
        int total = all("(<tr><td class=\"run\">)", html.substring(html.indexOf("id=\"flip-table\""))).size();
        long shown = runs.stream().flatMap(run -> run.datasets().stream().map(ds -> Flips.of(run, ds)))
                .flatMap(fs -> fs.toParametric().stream()).filter(f -> f.prompt().contains("Country31?")).count();
        assertTrue(shown > 0, "the synthetic data has flips of item 31");
        assertTrue(counter.startsWith(shown + " of "), counter + " (expected " + shown + " shown)");
        assertTrue(total > shown);
    }

    @Test
    void aMissingChartIsDetectedAndShown() throws Exception {
        Chromium browser = Chromium.require();
        Path copy = tmp.resolve("report-copy");
        try (Stream<Path> files = Files.walk(out)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Path t = copy.resolve(out.relativize(f).toString());
                AtomicFiles.writeBytes(t, Files.readAllBytes(f));
            }
        }
        Files.delete(copy.resolve("charts/compare-step.svg"));
        Chromium.Result r = browser.dumpDom(copy.resolve("index.html").toUri().toString(), tmp);
        assertEquals("11", attr(r.dom(), "data-images-ok"));
        assertEquals("charts/compare-step.svg", attr(r.dom(), "data-images-broken"));
        assertTrue(r.dom().contains("class=\"notice\""), "the reader is told a chart is missing");
        assertTrue(attr(r.dom(), "data-errors").contains("charts/compare-step.svg"), "the error hook saw it too");
    }

    @Test
    void anInMemoryRunRendersWithoutFiles() throws Exception {
        RunData live = RunData.of("live", List.of(
                new cpi.experiment.TrajectoryRecord(0, "cf_x", RunData.CF, 0.3, 0.25, 0.35, 100),
                new cpi.experiment.TrajectoryRecord(50, "cf_x", RunData.CF, 0.6, 0.55, 0.65, 100)));
        Path index = HtmlReport.write(new ReportInputs(List.of(live), List.of(), List.of()), tmp.resolve("live"));
        String page = Files.readString(index);
        assertTrue(page.contains("<td class=\"run\">live</td>"));
        assertEquals(1, all("<img[^>]* src=\"([^\"]+)\"", page).size(), "only accuracy vs step has data");
    }

    /** An attribute of the html element in a dumped DOM, or null when absent. */
    static String attr(String dom, String name) {
        int start = dom.indexOf("<html");
        String tag = dom.substring(start, dom.indexOf('>', start));
        Matcher m = Pattern.compile(name + "=\"([^\"]*)\"").matcher(tag);
        return m.find() ? m.group(1) : null;
    }
}
