package cpi.eval;

import cpi.experiment.Provenance;
import cpi.report.TextTable;
import cpi.util.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** summary.json of an eval output directory, and the table printed at the end of cpi eval. */
public final class EvalSummary {
    public static final String FILE = "summary.json";

    private EvalSummary() {}

    /**
     * Writes DIR/summary.json: datasets.NAME (n, failed, total, accuracies, CIs, strata) and provenance.
     * Datasets evaluated earlier into the same directory and not redone now are kept.
     */
    public static ObjectNode write(Path outDir, List<EvalResult> results, String model, String template,
                                   String scorer, long seed, JsonNode config) {
        Path file = outDir.resolve(FILE);
        ObjectNode datasets = Json.object();
        Map<String, String> shas = new LinkedHashMap<>();
        if (Files.isRegularFile(file)) {
            JsonNode old = Json.read(file);
            if (old.path("datasets").isObject()) {
                old.get("datasets").fields().forEachRemaining(e -> {
                    datasets.set(e.getKey(), e.getValue());
                    shas.put(e.getKey(), e.getValue().path("sha256").asText(""));
                });
            }
        }
        for (EvalResult r : results) {
            datasets.set(r.dataset(), r.toJson());
            shas.put(r.dataset(), r.datasetSha256());
        }
        ObjectNode root = Json.object();
        root.set("datasets", datasets);
        ObjectNode prov = Provenance.of(model, shas, template, seed, config).toJson();
        prov.put("scorer", scorer);
        root.set("provenance", prov);
        Json.writeFile(file, root);
        return root;
    }

    /** One row per dataset, then one per stratum when a dataset has several. */
    public static TextTable table(List<EvalResult> results) {
        TextTable t = new TextTable("dataset", "n", "failed", "cf acc", "95% CI", "par acc", "95% CI", "other",
                "mem ratio");
        for (EvalResult r : results) {
            row(t, r.dataset(), r.metrics());
            if (r.strata().size() > 1) {
                r.strata().forEach((s, m) -> row(t, "  " + r.dataset() + "/" + s, m));
            }
        }
        return t;
    }

    private static void row(TextTable t, String name, Metrics m) {
        t.row(name, m.n(), m.failed(), m.counterfactualAccuracy(), ci(m.cfLow(), m.cfHigh()), m.parametricAccuracy(),
                ci(m.parLow(), m.parHigh()), m.otherRate(), m.memorizationRatio());
    }

    private static String ci(double lo, double hi) {
        return Double.isNaN(lo) ? "—" : String.format("%.3f–%.3f", lo, hi);
    }
}
