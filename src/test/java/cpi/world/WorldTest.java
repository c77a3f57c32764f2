package cpi.world;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cpi.data.ConflictItem;
import cpi.util.UserError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WorldTest {
    private static final Pattern FACT = Pattern.compile(
            "the (\\w+) of (\\w+) is (\\w+) \\.|(\\w+) has (\\w+) (\\w+) \\.|for (\\w+) the (\\w+) is (\\w+) \\.");

    private static WorldConfig small(long seed) {
        return WorldConfig.defaults(seed).withPretrainDocs(300).withMixture(400, 0.3, 0.1);
    }

    /** (subject, relation, object) of every fact sentence in a text. */
    private static List<Fact> parse(String text) {
        Matcher m = FACT.matcher(text);
        java.util.ArrayList<Fact> out = new java.util.ArrayList<>();
        while (m.find()) {
            if (m.group(1) != null) {
                out.add(new Fact(m.group(2), m.group(1), m.group(3)));
            } else if (m.group(4) != null) {
                out.add(new Fact(m.group(4), m.group(5), m.group(6)));
            } else {
                out.add(new Fact(m.group(7), m.group(8), m.group(9)));
            }
        }
        return out;
    }

    @Test
    void factsAreUniqueAndConsistent() {
        World w = World.generate(small(1));
        Map<String, String> seen = new HashMap<>();
        for (Fact f : w.facts()) {
            assertNull(seen.put(f.subject() + "|" + f.relation(), f.object()), "duplicate fact " + f);
            assertTrue(w.objects(f.relation()).contains(f.object()));
        }
        assertEquals(w.knownSubjects().size() * w.relations().size(), seen.size());
        Set<String> names = new HashSet<>(w.knownSubjects());
        names.addAll(w.unknownSubjects());
        assertEquals(w.knownSubjects().size() + w.unknownSubjects().size(), names.size(), "subject names unique");
        // every pretraining sentence about a known subject states its memorised object
        int knownSentences = 0;
        for (String doc : w.pretrainingDocuments()) {
            assertTrue(doc.split(" ").length <= w.config().docTokens());
            for (Fact f : parse(doc)) {
                String truth = w.fact(f.subject(), f.relation());
                if (truth != null) {
                    assertEquals(truth, f.object(), "pretraining contradicts the knowledge base: " + f);
                    knownSentences++;
                }
            }
        }
        assertTrue(knownSentences > 100);
        // non-context-critical and closed-book IFT targets are the memorised objects, contexts consistent
        for (IftItem it : w.iftMixture()) {
            if (!it.kind().equals(IftItem.CONTEXT_CRITICAL)) {
                assertEquals(w.fact(it.subject(), it.relation()), it.output());
            }
            for (Fact f : parse(it.input())) {
                String truth = w.fact(f.subject(), f.relation());
                if (truth != null) {
                    assertEquals(truth, f.object(), "IFT context contradicts the knowledge base: " + it);
                }
            }
        }
    }

    @Test
    void counterfactualContextDiffersFromMemory() {
        World w = World.generate(small(2));
        List<ConflictItem> cf = w.counterfactualEval();
        int k = w.config().counterfactualsPerFact();
        assertTrue(k > 1, "the default world has several counterfactuals per fact");
        assertEquals(w.knownEvalSubjects().size() * w.relations().size() * k, cf.size());
        Set<String> distinct = new HashSet<>();
        for (ConflictItem c : cf) {
            assertTrue(distinct.add(c.question() + "|" + c.counterfactualAnswer()), "repeated counterfactual " + c);
            assertNotEquals(c.counterfactualAnswer(), c.parametricAnswer());
            String subject = c.question().split(" ")[5];
            String relation = c.question().split(" ")[3];
            assertEquals(w.fact(subject, relation), c.parametricAnswer());
            assertTrue(parse(c.context()).contains(new Fact(subject, relation, c.counterfactualAnswer())),
                    "context states the counterfactual object: " + c);
        }
    }

    @Test
    void sameRelationDistractorSetsTheDistractorsRelation() {
        WorldConfig d = small(10);
        World always = World.generate(d.withOverrides(Map.of("sameRelationDistractor", "1.0", "distractors", "2")));
        for (ConflictItem c : always.counterfactualEval()) {
            String relation = c.question().split(" ")[3];
            for (Fact f : parse(c.context())) {
                assertEquals(relation, f.relation(), "every context sentence states the asked relation: " + c);
            }
        }
    }

    @Test
    void moreDistractorsThanTheSmallestPoolIsAClearError() {
        WorldConfig d = WorldConfig.defaults(11).withPretrainDocs(50).withMixture(50, 0.3, 0.0);
        // 120 known subjects, 5% held out: 6 evaluation subjects cannot host a subject and 10 distractors
        WorldConfig tooMany = d.withOverrides(Map.of("heldOutFraction", "0.05", "distractors", "10"));
        UserError e = assertThrows(UserError.class, () -> World.generate(tooMany));
        assertTrue(e.getMessage().contains("distractors must be below 6"), e.getMessage());
    }

    @Test
    void contextCriticalSubjectsHaveNoPretrainingFacts() {
        World w = World.generate(small(3));
        Set<String> factSubjects = new HashSet<>();
        w.facts().forEach(f -> factSubjects.add(f.subject()));
        long cc = 0;
        for (IftItem it : w.iftMixture()) {
            if (it.kind().equals(IftItem.CONTEXT_CRITICAL)) {
                cc++;
                assertFalse(factSubjects.contains(it.subject()), it.subject());
                assertNull(w.fact(it.subject(), it.relation()));
                assertTrue(parse(it.input()).contains(new Fact(it.subject(), it.relation(), it.output())));
            }
        }
        assertTrue(cc > 80 && cc < 160, "about 30% context-critical: " + cc);
    }

    @Test
    void evaluationSubjectsNeverInIft() {
        World w = World.generate(small(4));
        Set<String> evalSubjects = new HashSet<>(w.knownEvalSubjects());
        evalSubjects.addAll(w.unknownEvalSubjects());
        List<IftItem> ift = new java.util.ArrayList<>(w.iftMixture());
        ift.addAll(w.counterfactualExamples(200));
        for (IftItem it : ift) {
            for (String word : (it.instruction() + " " + it.input() + " " + it.output()).split(" ")) {
                assertFalse(evalSubjects.contains(word), "evaluation subject " + word + " in " + it.id());
            }
        }
        for (ConflictItem c : w.counterfactualEval()) {
            assertTrue(evalSubjects.contains(c.question().split(" ")[5]));
        }
    }

    @Test
    void closedBookQuestionsAskEveryHeldOutKnownFactOnceWithoutContext() {
        World w = World.generate(small(5));
        List<IftItem> cb = w.closedBookEval();
        assertEquals(w.knownEvalSubjects().size() * w.relations().size(), cb.size());
        assertEquals(cb.size(), cb.stream().map(IftItem::instruction).distinct().count(), "each question once");
        Set<String> iftSubjects = new HashSet<>();
        w.iftMixture().forEach(it -> iftSubjects.add(it.subject()));
        for (IftItem it : cb) {
            assertTrue(it.input().isEmpty(), it.id() + " has no context");
            assertTrue(w.knownEvalSubjects().contains(it.subject()), it.id() + " asks about a held-out known subject");
            assertFalse(iftSubjects.contains(it.subject()), it.id() + ": subject also in IFT");
            assertEquals(w.fact(it.subject(), it.relation()), it.output(), it.id() + " answer is the memorised fact");
            assertEquals(Phrasing.question(it.relation(), it.subject()), it.instruction());
        }
    }

    @Test
    void disjointEvalObjectsNeverInIft() {
        WorldConfig d = small(5);
        d = d.withOverrides(Map.of("disjointEvalObjects", "true"));
        World w = World.generate(d);
        Set<String> evalAnswers = new HashSet<>();
        for (ConflictItem c : w.counterfactualEval()) {
            evalAnswers.add(c.counterfactualAnswer());
            evalAnswers.add(c.parametricAnswer());
        }
        for (IftItem it : w.iftMixture()) {
            for (String word : (it.input() + " " + it.output()).split(" ")) {
                assertFalse(evalAnswers.contains(word), "evaluation object " + word + " in " + it.id());
            }
        }
    }

    @Test
    void conflictProbesUseIftSubjectsAndStateAnotherObjectThanTheMemorisedOne() {
        World w = World.generate(small(7));
        Set<String> iftSubjects = new HashSet<>(w.knownIftSubjects());
        List<ProbeItem> conflicts = w.pretrainingProbes(50).stream()
                .filter(p -> p.kind().equals(ProbeItem.CONFLICT)).toList();
        assertEquals(50, conflicts.size());
        for (ProbeItem p : conflicts) {
            String[] words = p.prompt().split(" ");
            // the prompt ends with the statement form "the <relation> of <subject> is"
            String subject = words[words.length - 2];
            String relation = words[words.length - 4];
            assertTrue(iftSubjects.contains(subject), p.id() + ": " + subject + " is not an IFT subject");
            assertEquals(w.fact(subject, relation), p.memory(), p.id());
            assertNotEquals(p.memory(), p.answer(), p.id() + ": the context must state another object");
            assertTrue(p.prompt().contains(" " + p.answer() + " "), p.id() + ": the context states the answer");
        }
    }

    @Test
    void probeItemsRoundTripThroughTheirJsonLine() {
        List<ProbeItem> probes = World.generate(small(4)).pretrainingProbes(20);
        assertTrue(probes.stream().anyMatch(p -> p.memory() != null), "conflict probes carry the memorised object");
        assertTrue(probes.stream().anyMatch(p -> p.memory() == null), "the others do not");
        for (ProbeItem p : probes) {
            assertEquals(p, ProbeItem.fromJson(p.toJson()));
        }
    }

    @Test
    void counterfactualAugmentationUsesIftSubjectsAndOtherObjects() {
        World w = World.generate(small(6));
        for (IftItem it : w.counterfactualExamples(100)) {
            assertTrue(w.knownIftSubjects().contains(it.subject()));
            assertNotEquals(w.fact(it.subject(), it.relation()), it.output());
            assertTrue(parse(it.input()).contains(new Fact(it.subject(), it.relation(), it.output())));
        }
    }

    @Test
    void sameSeedGivesByteIdenticalFiles(@TempDir Path tmp) throws Exception {
        Map<String, Path> a = WorldFiles.write(World.generate(small(7)), tmp.resolve("a"));
        Map<String, Path> b = WorldFiles.write(World.generate(small(7)), tmp.resolve("b"));
        Map<String, Path> c = WorldFiles.write(World.generate(small(8)), tmp.resolve("c"));
        assertEquals(a.keySet(), b.keySet());
        boolean anyDiffers = false;
        for (String name : a.keySet()) {
            assertTrue(Files.size(a.get(name)) > 0, name);
            assertEquals(-1L, Files.mismatch(a.get(name), b.get(name)), name + " differs for the same seed");
            anyDiffers |= Files.mismatch(a.get(name), c.get(name)) != -1L;
        }
        assertTrue(anyDiffers, "a different seed changes the files");
    }

    @Test
    void moreKnownFactTemplatesRephraseOnlyKnownFactsInPretraining() {
        World three = World.generate(small(12));
        World eight = World.generate(small(12).withOverrides(Map.of("knownFactTemplates", "8")));
        assertEquals(three.facts(), eight.facts(), "the knob changes the corpus, not the facts");
        assertEquals(three.iftMixture().toString(), eight.iftMixture().toString(), "nor the IFT data");
        for (String word : Phrasing.EXTRA_TEMPLATE_WORDS) {
            assertFalse(three.vocabulary().contains(word), "the default tokenizer is unchanged: " + word);
            assertTrue(eight.vocabulary().contains(word), word);
        }
        Set<String> known = new HashSet<>(eight.knownSubjects());
        Map<Integer, Integer> seen = new HashMap<>();
        for (String doc : eight.pretrainingDocuments()) {
            for (String sentence : doc.split("(?<= \\.) ")) {
                List<String> words = List.of(sentence.split(" "));
                String object = words.get(words.size() - 2);
                String relation = words.stream().filter(eight.relations()::contains).findFirst().orElseThrow();
                int template = -1;
                for (String subject : words) {
                    for (int k = 0; k < Phrasing.MAX_TEMPLATES; k++) {
                        if (Phrasing.fact(k, relation, subject, object).equals(sentence)) {
                            template = k;
                        }
                    }
                }
                assertTrue(template >= 0, "a sentence in no template: " + sentence);
                seen.merge(template, 1, Integer::sum);
                if (template >= Phrasing.PARAPHRASES) {
                    assertTrue(words.stream().anyMatch(known::contains), "only known facts take the extra forms: " + sentence);
                }
            }
        }
        assertEquals(Phrasing.MAX_TEMPLATES, seen.size(), "every template occurs: " + seen);
    }

    @ParameterizedTest
    @ValueSource(ints = {Phrasing.PARAPHRASES, Phrasing.MAX_TEMPLATES})
    void vocabularyCoversEveryWordWritten(int knownFactTemplates, @TempDir Path tmp) throws Exception {
        World w = World.generate(small(9).withOverrides(Map.of("knownFactTemplates", "" + knownFactTemplates)));
        Set<String> vocab = new HashSet<>(w.vocabulary());
        assertEquals(w.vocabulary().size(), vocab.size(), "vocabulary has no duplicates");
        Map<String, Path> files = WorldFiles.write(w, tmp);
        for (String name : List.of(WorldFiles.PRETRAIN, WorldFiles.IFT, WorldFiles.EVAL_CF,
                WorldFiles.EVAL_CAPABILITY, WorldFiles.EVAL_CLOSED_BOOK, WorldFiles.PRETRAIN_PROBES)) {
            for (String line : Files.readAllLines(files.get(name))) {
                var node = cpi.util.Json.MAPPER.readTree(line);
                for (var field : List.of("text", "instruction", "input", "output", "question", "context",
                        "counterfactual_answer", "parametric_answer", "prompt", "answer")) {
                    if (node.has(field)) {
                        for (String word : node.get(field).asText().split("\\s+")) {
                            assertTrue(word.isEmpty() || vocab.contains(word), name + ": unknown word " + word);
                        }
                    }
                }
            }
        }
        assertNotNull(cpi.util.Json.read(files.get(WorldFiles.TOKENIZER)).get("model").get("vocab").get("<bos>"));
        try (var tok = cpi.model.HfTokenizer.load(tmp)) {
            int[] ids = tok.encode("the capital of " + w.knownSubjects().get(0) + " is");
            assertEquals(5, ids.length);
            assertEquals("the capital of " + w.knownSubjects().get(0) + " is", tok.decode(ids));
            assertTrue(tok.bosId().isPresent());
        }
    }
}
