package cpi.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cpi.util.UserError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IftDataTest {
    @TempDir
    Path dir;

    private Path write(String name, String text) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    @Test
    void alpacaJsonArray() throws Exception {
        Path f = write("a.json", "[{\"instruction\":\"Add\",\"input\":\"1 and 2\",\"output\":\"3\"},"
                + "{\"instruction\":\"Say hi\",\"input\":\"\",\"output\":\"hi\",\"kind\":\"closed_book\"}]");
        List<IftExample> ex = IftData.read(f);
        assertEquals(2, ex.size());
        assertEquals("1 and 2", ex.get(0).input());
        assertTrue(ex.get(0).hasInput());
        assertEquals("closed_book", ex.get(1).kind());
        assertEquals("item-1", ex.get(1).id());
    }

    @Test
    void realAlpacaSubsetLoads() {
        Path p = Path.of("/work/shared/data/alpaca-5000/alpaca_5000.json");
        if (!Files.exists(p)) {
            return;
        }
        List<IftExample> ex = IftData.read(p);
        assertEquals(5000, ex.size());
        assertEquals(1943, ex.stream().filter(IftExample::hasInput).count());
    }

    @Test
    void chatJsonlOneExamplePerAssistantTurn() throws Exception {
        Path f = write("c.jsonl", "{\"id\":\"c1\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                + "{\"role\":\"user\",\"content\":\"Hi\"},{\"role\":\"assistant\",\"content\":\"Hello\"},"
                + "{\"role\":\"user\",\"content\":\"Capital of France?\"},{\"role\":\"assistant\",\"content\":\"Paris\"}]}\n");
        List<IftExample> ex = IftData.read(f);
        assertEquals(2, ex.size());
        assertEquals("Hi", ex.get(0).instruction());
        assertEquals("Be brief.", ex.get(0).input());
        assertEquals("Capital of France?", ex.get(1).instruction());
        assertTrue(ex.get(1).input().contains("Assistant: Hello"));
        assertEquals("Paris", ex.get(1).output());
        assertEquals("c1#1", ex.get(1).id());
    }

    @Test
    void squadOfficialAndFlat() throws Exception {
        Path f = write("s.json", "{\"data\":[{\"paragraphs\":[{\"context\":\"Paris is in France.\",\"qas\":["
                + "{\"id\":\"q1\",\"question\":\"Where is Paris?\",\"answers\":[{\"text\":\"France\",\"answer_start\":12}]}]}]}]}");
        List<IftExample> ex = IftData.read(f);
        assertEquals(1, ex.size());
        assertEquals("France", ex.get(0).output());
        assertEquals("Paris is in France.", ex.get(0).input());
        Path g = write("s.jsonl", "{\"context\":\"c\",\"question\":\"q\",\"answers\":{\"text\":[\"a1\",\"a2\"]}}\n");
        assertEquals("a1", IftData.read(g).get(0).output());
    }

    @Test
    void conflictSchemaTrainsOnTheContextAnswer() throws Exception {
        Path f = write("cf.jsonl", "{\"id\":\"x\",\"question\":\"Capital of A?\",\"context\":\"The capital of A is B.\","
                + "\"counterfactual_answer\":\"B\",\"parametric_answer\":\"C\"}\n");
        IftExample e = IftData.read(f).get(0);
        assertEquals("B", e.output());
        assertEquals("counterfactual", e.kind());
        assertNull(e.closedBookPrompt());
    }

    @Test
    void errorsNameFileRecordAndField() throws Exception {
        Path bad = write("bad.jsonl", "{\"instruction\":\"a\",\"output\":\"b\"}\n{\"instruction\":\"a\"}\n");
        UserError e = assertThrows(UserError.class, () -> IftData.read(bad));
        assertTrue(e.getMessage().contains("bad.jsonl: line 2: missing field 'output'"), e.getMessage());
        Path typ = write("t.json", "[{\"instruction\":\"a\",\"output\":5}]");
        e = assertThrows(UserError.class, () -> IftData.read(typ));
        assertTrue(e.getMessage().contains("field 'output' must be a string"), e.getMessage());
        Path malformed = write("m.jsonl", "{\"instruction\":\"a\",\"output\":\"b\"}\n{oops\n");
        e = assertThrows(UserError.class, () -> IftData.read(malformed));
        assertTrue(e.getMessage().contains("m.jsonl:2"), e.getMessage());
        Path empty = write("e.jsonl", "\n");
        e = assertThrows(UserError.class, () -> IftData.read(empty));
        assertTrue(e.getMessage().contains("no training examples"), e.getMessage());
        e = assertThrows(UserError.class, () -> IftData.resolve("no-such-dataset-xyz"));
        assertTrue(e.getMessage().contains("no-such-dataset-xyz"));
    }
}
