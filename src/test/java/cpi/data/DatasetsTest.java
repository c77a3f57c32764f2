package cpi.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import cpi.util.UserError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsTest {
    static final Path SHARED = Path.of("../shared/data");

    static Path shared() {
        assumeTrue(Files.isDirectory(SHARED.resolve("cpi-eval")), "shared data not present");
        return SHARED;
    }

    static Map<String, Long> strata(Dataset ds) {
        return ds.items().stream().collect(Collectors.groupingBy(ConflictItem::stratum, Collectors.counting()));
    }

    @Test
    void loadsThePapersDatasetsWithTheRightCountsAndFields() {
        Path dir = shared();
        Dataset wf = Datasets.load("cf_world_facts", dir);
        assertEquals(313, wf.items().size());
        assertEquals("a040ca190e4b3517474a229b9e97083df077aedce27bd92fb263018e00c1982c", wf.sha256());
        assertEquals("sha256:" + wf.sha256(), wf.fingerprint());
        assertEquals(Map.of("capital", 197L, "other", 116L), strata(wf));
        ConflictItem kabul = wf.items().get(0);
        assertEquals("Herat", kabul.counterfactualAnswer());
        assertEquals("Kabul", kabul.parametricAnswer());
        assertEquals("What is the capital city of Afghanistan?", kabul.question());

        assertEquals(196, Datasets.load("cf_capitals", dir).items().size());

        Dataset bio = Datasets.load("cf_bio", dir);
        assertEquals(555, bio.items().size());
        ConflictItem mona = bio.items().get(0);
        assertEquals("Enrico Fermi", mona.counterfactualAnswer());
        assertEquals("Leonardo da Vinci", mona.parametricAnswer());
        assertFalse(mona.context().startsWith(" "), "leading spaces trimmed");
        assertEquals(4, strata(bio).size());
        assertFalse(strata(bio).containsKey("other"));
    }

    @Test
    void memoTrapRowsBecomeInstructionItems() {
        Path dir = shared();
        Dataset q = Datasets.load("cf_quotes", dir);
        assertEquals(860, q.items().size());
        ConflictItem first = q.items().get(0);
        assertEquals("Write a quote that ends in the word \"heavy\": Absence makes the heart grow", first.question());
        assertEquals("", first.context());
        assertEquals("heavy", first.counterfactualAnswer());
        assertEquals("fonder", first.parametricAnswer());
        assertEquals("way", q.items().get(3).counterfactualAnswer(), "answer_index 1 picks the second class");
        assertEquals("families", q.items().get(3).parametricAnswer());

        Dataset sci = Datasets.load("memotrap_science_qa", dir);
        assertEquals(736, sci.items().size());
        assertEquals("B", sci.items().get(0).counterfactualAnswer(), "double-quoted Python strings parse");
        assertTrue(sci.items().get(0).question().contains("\nA. The Earth is spherical."), "multi-line prompts");

        Dataset all = Datasets.load("memotrap", dir);
        assertEquals(860 + 843 + 100 + 736, all.items().size());
        assertEquals(4, strata(all).size());
    }

    @Test
    void conflictQaUsesCounterMemoryAsContext() {
        Dataset c = Datasets.load("conflictqa_strategyqa", shared());
        assertEquals(1245, c.items().size());
        ConflictItem g = c.items().get(0);
        assertTrue(g.context().startsWith("Recent studies have shown that the genetic legacy"));
        assertEquals("More people today are not related to Genghis Khan than Julius Caesar.", g.counterfactualAnswer());
        assertEquals("More people today are related to Genghis Khan than Julius Caesar.", g.parametricAnswer());
    }

    @Test
    void userFilesInCpiAndNqSwapFormats(@TempDir Path tmp) throws Exception {
        Path cpi = tmp.resolve("mine.jsonl");
        Files.writeString(cpi, """
                {"id":"a","question":"Capital of France?","context":"Lyon is the capital.","counterfactual_answer":"Lyon","parametric_answer":"Paris","aliases":["Lyons"],"stratum":"capital"}

                {"question":"Who wrote Hamlet?","context":"Marlowe wrote Hamlet.","counterfactual_answer":["Marlowe","Christopher Marlowe"],"parametric_answer":"Shakespeare"}
                """);
        Dataset d = Datasets.load(cpi.toString(), null);
        assertEquals("mine", d.name());
        assertEquals(2, d.items().size());
        assertEquals(List.of("Lyons"), d.items().get(0).aliases());
        assertEquals("capital", d.items().get(0).stratum());
        assertEquals("mine-1", d.items().get(1).id());
        assertEquals(List.of("Christopher Marlowe"), d.items().get(1).aliases());
        assertEquals("all", d.items().get(1).stratum());

        Path nq = tmp.resolve("nq.jsonl");
        Files.writeString(nq, """
                {"question":"who sang x","org_context":"A sang x.","org_answer":["A"],"sub_context":"B sang x.","sub_answer":["B","Bee"]}
                """);
        ConflictItem it = Datasets.load(nq.toString(), null).items().get(0);
        assertEquals("B sang x.", it.context());
        assertEquals("B", it.counterfactualAnswer());
        assertEquals("A", it.parametricAnswer());
        assertEquals(List.of("Bee"), it.aliases());
    }

    static String error(Path tmp, String name, String content) throws Exception {
        Path f = tmp.resolve(name);
        Files.writeString(f, content);
        return assertThrows(UserError.class, () -> Datasets.load(f.toString(), null)).getMessage();
    }

    @Test
    void badInputIsAOneLineErrorNamingFileLineAndField(@TempDir Path tmp) throws Exception {
        String ok = "{\"question\":\"q\",\"context\":\"c\",\"counterfactual_answer\":\"x\",\"parametric_answer\":\"y\"}\n";
        String m = error(tmp, "bad.jsonl", ok + ok + "{\"question\": \"q\", \n");
        assertTrue(m.contains("bad.jsonl:3: malformed JSON"), m);

        m = error(tmp, "arr.json", "[\n {\"context\":\"c\",\"question\":\"q\",\"answer\":\"a\",\"memory_answer\":\"b\"},\n"
                + " {\"context\":\"c\",\"question\":\"q\",\"answer\":\"a\"\n");
        assertTrue(m.contains("arr.json:") && m.contains("malformed JSON"), m);

        m = error(tmp, "missing.jsonl", ok + "{\"question\":\"q\",\"context\":\"c\",\"counterfactual_answer\":\"x\"}\n");
        assertTrue(m.contains("missing.jsonl:2: missing field 'parametric_answer'"), m);

        m = error(tmp, "empty.jsonl", ok.replace("\"x\"", "\"  \""));
        assertTrue(m.contains("empty.jsonl:1: field 'counterfactual_answer' is empty"), m);

        m = error(tmp, "type.jsonl", ok.replace("\"q\"", "42"));
        assertTrue(m.contains("type.jsonl:1: field 'question' must be a string, found a number"), m);

        m = error(tmp, "zero.jsonl", "\n\n");
        assertTrue(m.contains("zero.jsonl") && m.contains("no items"), m);

        m = error(tmp, "zero.csv", "prompt,classes,answer_index\n");
        assertTrue(m.contains("zero.csv") && m.contains("no items"), m);

        m = error(tmp, "cls.csv", "prompt,classes,answer_index\n\"p\",\"[' a.']\",0\n");
        assertTrue(m.contains("cls.csv:2: field 'classes'"), m);

        m = error(tmp, "idx.csv", "prompt,classes,answer_index\n\"p\",\"[' a.', ' b.']\",2\n");
        assertTrue(m.contains("idx.csv:2: field 'answer_index' must be 0 or 1"), m);

        m = error(tmp, "dup.jsonl", ok.replace("{", "{\"id\":\"x\",") + ok.replace("{", "{\"id\":\"x\","));
        assertTrue(m.contains("duplicate id 'x'"), m);

        m = error(tmp, "what.jsonl", "{\"foo\": 1}\n");
        assertTrue(m.contains("what.jsonl:1: unrecognised record (fields foo)"), m);
        assertFalse(m.contains("\n"));
    }

    @Test
    void unknownNamesListTheKnownOnes() {
        String m = assertThrows(UserError.class, () -> Datasets.load("cf_capital", null)).getMessage();
        assertTrue(m.contains("unknown dataset 'cf_capital'") && m.contains("cf_capitals, cf_bio"), m);
        m = assertThrows(UserError.class, () -> Datasets.load("nope/x.jsonl", null)).getMessage();
        assertTrue(m.contains("file not found"), m);
    }

    @Test
    void dataDirectoryResolution(@TempDir Path tmp) throws Exception {
        assertEquals(tmp, DataDirs.resolve(tmp, null, Path.of("/")));
        assertEquals(tmp, DataDirs.resolve(null, tmp.toString(), Path.of("/")));
        Files.createDirectories(tmp.resolve("shared/data"));
        Files.createDirectories(tmp.resolve("wt"));
        assertEquals(tmp.resolve("shared/data"), DataDirs.resolve(null, null, tmp.resolve("wt")));
        String m = assertThrows(UserError.class, () -> DataDirs.resolve(null, null, Path.of("/"))).getMessage();
        assertTrue(m.contains("--data-dir") && m.contains("CPI_DATA"), m);
        m = assertThrows(UserError.class, () -> DataDirs.resolve(tmp.resolve("nope"), null, tmp)).getMessage();
        assertTrue(m.contains("not a directory"), m);
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        m = assertThrows(UserError.class, () -> Datasets.load("cf_capitals", empty)).getMessage();
        assertTrue(m.contains("country_capitals_only.json: file not found"), m);
    }

    @Test
    void registryIsConsistent() {
        Map<String, DatasetSpec> specs = Datasets.specs();
        assertTrue(specs.keySet().containsAll(List.of("cf_world_facts", "cf_capitals", "cf_bio", "cf_quotes",
                "conflictqa_strategyqa", "memotrap")));
        specs.values().forEach(s -> assertFalse(s.files().isEmpty(), s.name()));
        Function<String, String> st = q -> specs.get("cf_world_facts").stratumOf(q);
        assertEquals("capital", st.apply("What is the capital city of Chad?"));
        assertEquals("other", st.apply("Where would you find the Eiffel Tower?"));
    }
}
