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
}
