package cpi.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import cpi.cli.CliRun;
import cpi.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** cpi bench wiring (not speed): figure names, --only, JSON output, the comparison columns. */
class BenchCommandTest {
    @TempDir
    Path dir;

    static String run(int expectCode, String... args) {
        CliRun.Output o = CliRun.cpi(args);
        assertEquals(expectCode, o.code());
        return o.out();
    }

    @Test
    void listsTheIssueFigures() {
        String out = run(0, "bench", "--list");
        for (String f : new String[] {"matmul_gflops", "train_demo_tokens_per_s", "train_pythia70m_tokens_per_s",
            "prefill_pythia70m_tokens_per_s", "decode_pythia70m_b1_tokens_per_s", "decode_pythia70m_b8_tokens_per_s",
            "logprob_cf_world_facts_items_per_s", "demo_quick_seconds", "memory_rss_growth_pct", "trajectory_speedup"}) {
            assertTrue(out.lines().anyMatch(f::equals), f + " in " + out);
        }
    }

    @Test
    void onlyRunsOneFigureAndWritesJsonWithRatios() throws Exception {
        Path torch = dir.resolve("torch.json");
        Files.writeString(torch, "{\"figures\": {\"matmul_gflops\": 10.0, \"decode_demo_b1_tokens_per_s\": 5.0}}");
        Path json = dir.resolve("cpi.json");
        String table = run(0, "bench", "--quick", "--quiet", "--only", "matmul_gflops", "--json", json.toString(),
                "--compare", torch.toString());
        JsonNode o = Json.read(json);
        assertEquals(1, o.path("figures").size());
        JsonNode f = o.path("figures").get(0);
        assertEquals("matmul_gflops", f.path("name").asText());
        assertEquals("ok", f.path("status").asText());
        assertTrue(f.path("value").asDouble() > 0);
        assertEquals(f.path("value").asDouble() / 10.0, f.path("ratio_vs_pytorch").asDouble(), 1e-9);
        assertTrue(table.contains("cpi/pytorch"), table);
        assertTrue(o.path("engine").asText().startsWith("PyTorch"), o.toString());
    }

    @Test
    void unknownFigureIsAUserError() {
        run(2, "bench", "--only", "nonsense");
    }
}
