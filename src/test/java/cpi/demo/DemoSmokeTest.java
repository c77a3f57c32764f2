package cpi.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import cpi.util.Json;
import cpi.world.WorldConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole demo pipeline on a tiny model and a short schedule: world, pretraining, the filter, four
 * finetunes with in-loop evaluation, summary.json, the report, and the pretraining cache on a re-run.
 * It checks the plumbing, not the curve (docs/demo.md has the measured curves).
 */
class DemoSmokeTest {

    @Test
    void runsEndToEndAndReusesThePretrainedModel(@TempDir Path tmp) {
        WorldConfig world = WorldConfig.defaults(3).withPretrainDocs(200).withMixture(300, 0.3, 0.0);
        DemoConfig cfg = new DemoConfig(true, world, "gpt2", 32, 2, 2, 128, 12, 8, 3e-3, 6, 8, 3e-4, 3, DemoConfig.LN2,
                0.3, 1.0, "plain", "first-mention");
        String old = System.getProperty("cpi.cache");
        System.setProperty("cpi.cache", tmp.resolve("cache").toString());
        try {
            Demo.Result first = new Demo(cfg, tmp.resolve("a"), quietLog()).run();
            JsonNode s = Json.read(tmp.resolve("a").resolve(Demo.SUMMARY));
            assertFalse(s.at("/pretrain/cached").asBoolean());
            double closed = s.at("/pretrain/closed_book_accuracy").asDouble(-1);
            assertTrue(closed >= 0 && closed <= 1, "closed-book accuracy is a rate: " + closed);
            JsonNode probes = Json.read(Path.of(s.at("/pretrain/model_dir").asText()).resolve("pretrain.json"))
                    .get("probes");
            assertTrue(probes.size() >= 2, "pretraining probed along the way: " + probes);
            assertEquals(12, probes.get(probes.size() - 1).get("step").asInt());
            assertEquals(closed, probes.get(probes.size() - 1).get("closed_book_accuracy").asDouble());
            double margin = s.at("/pretrain/conflict_margin").asDouble(Double.NaN);
            assertTrue(Double.isFinite(margin), "the conflict probe's memory-over-context margin is reported: " + margin);
            assertEquals(margin, probes.get(probes.size() - 1).get("conflict_margin").asDouble(), 1e-12);
            for (Variant v : Variant.values()) {
                JsonNode c = s.get(v.id());
                for (String f : new String[] {"start_cf_accuracy", "peak_step", "peak_cf_accuracy", "final_cf_accuracy",
                        "drop", "final_parametric_accuracy", "final_capability", "final_closed_book_accuracy"}) {
                    assertTrue(c.has(f), v.id() + " lacks " + f);
                }
                assertEquals(6, c.get("final_step").asInt(), v.id() + " ran its steps");
                assertTrue(Files.isRegularFile(tmp.resolve("a/runs").resolve(v.id()).resolve("trajectory.jsonl")));
            }
            // a run without an inversion names its failure mode; one with an inversion has none
            assertEquals(!s.get("inversion").asBoolean(), s.has("why_no_inversion"), s.toString());
            assertEquals(300, s.at("/filter/total").asInt());
            assertEquals(s.at("/filter/dropped").asInt(), s.at("/filter/dropped_non_context_critical").asInt()
                    + s.at("/filter/dropped_context_critical").asInt());
            assertTrue(s.at("/provenance/model").asText().startsWith("sha256:"), s.get("provenance").toString());
            assertTrue(Files.isRegularFile(first.report()), "report written");

            Demo.Result second = new Demo(cfg, tmp.resolve("b"), quietLog()).run();
            assertTrue(second.summary().at("/pretrain/cached").asBoolean(), "the re-run loads the cached model");
            assertEquals(closed, second.summary().at("/pretrain/closed_book_accuracy").asDouble());
        } finally {
            if (old == null) {
                System.clearProperty("cpi.cache");
            } else {
                System.setProperty("cpi.cache", old);
            }
        }
    }

    private static PrintStream quietLog() {
        return new PrintStream(new ByteArrayOutputStream());
    }
}
