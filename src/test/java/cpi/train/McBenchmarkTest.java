package cpi.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cpi.util.UserError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class McBenchmarkTest {
    @TempDir
    Path dir;

    @Test
    void aBenchmarkIsRecordedUnderTheMetricTheReportReads() {
        assertEquals("benchmark_arc_easy", McBenchmark.metric(Path.of("/data/arc_easy.jsonl")));
        assertTrue(McBenchmark.metric(Path.of("mmlu.csv")).startsWith(cpi.experiment.TrajectoryRecord.BENCHMARK_PREFIX));
    }

    @Test
    void readsGenericArcAndMmluFormats() throws Exception {
        Path arc = dir.resolve("arc.jsonl");
        Files.writeString(arc, "{\"question\":{\"stem\":\"Which is a gas?\",\"choices\":[{\"text\":\"ice\",\"label\":\"A\"},"
                + "{\"text\":\"steam\",\"label\":\"B\"}]},\"answerKey\":\"B\"}\n");
        List<McBenchmark.Item> a = McBenchmark.read(arc);
        assertEquals("Which is a gas?", a.get(0).question());
        assertEquals(1, a.get(0).answer());
        Path mmlu = dir.resolve("mmlu.csv");
        Files.writeString(mmlu, "\"What is 2+2, roughly?\",3,4,5,6,B\n");
        McBenchmark.Item m = McBenchmark.read(mmlu).get(0);
        assertEquals(List.of("3", "4", "5", "6"), m.choices());
        assertEquals(1, m.answer());
        assertEquals("What is 2+2, roughly?", m.question());
        Path gen = dir.resolve("g.json");
        Files.writeString(gen, "[{\"question\":\"q\",\"choices\":[\"x\",\"y\",\"z\"],\"answer\":2}]");
        assertEquals(2, McBenchmark.read(gen).get(0).answer());
        Path bad = dir.resolve("bad.jsonl");
        Files.writeString(bad, "{\"question\":\"q\",\"choices\":[\"x\",\"y\"],\"answer\":7}\n");
        UserError e = assertThrows(UserError.class, () -> McBenchmark.read(bad));
        assertTrue(e.getMessage().contains("record 1"), e.getMessage());
    }

    @Test
    void shortAnswerQaFromSquadAndGsm8kScoredByContainment() throws Exception {
        Path gsm = dir.resolve("gsm8k.jsonl");
        Files.writeString(gsm, "{\"question\":\"2+2?\",\"answer\":\"two and two make 4\\n#### 4\"}\n"
                + "{\"question\":\"3*3?\",\"answer\":\"#### 1,000\"}\n");
        List<QaBenchmark.Item> g = QaBenchmark.read(gsm);
        assertEquals("4", g.get(0).answer());
        assertEquals("1000", g.get(1).answer());
        assertTrue(McBenchmark.isMultipleChoice(dir.resolve("x.csv")));
        assertTrue(!McBenchmark.isMultipleChoice(gsm));
        cpi.model.TextModel fake = new cpi.model.TextModel() {
            public String fingerprint() {
                return "fake";
            }

            public List<String> generate(List<String> prompts, cpi.model.GenerationOptions o) {
                return List.of(" It is 4.", " 10000");
            }

            public double[] logLikelihood(List<String> p, List<String> c) {
                return new double[p.size()];
            }
        };
        McBenchmark.Score s = QaBenchmark.score("gsm8k", fake, TestText.PLAIN, g, 8);
        assertEquals(0.5, s.accuracy(), 1e-12); // "10000" does not contain the token "1000"
    }
}
