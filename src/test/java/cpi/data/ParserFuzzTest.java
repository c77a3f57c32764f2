package cpi.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import cpi.util.UserError;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Seeded mutation fuzzing of the dataset parsers: 10,000 mutants of valid files per format. The only
 * exception allowed out of a parser is a UserError (a one-line message); anything else is a bug.
 */
class ParserFuzzTest {
    static final int INPUTS = 10_000;

    static String seed(Format f) {
        return switch (f) {
            case CPI -> """
                    {"id":"a","question":"Capital of France?","context":"Lyon is the capital.","counterfactual_answer":"Lyon","parametric_answer":"Paris","aliases":["Lyons"],"stratum":"capital"}
                    {"question":"Who?","context":"B did it.","counterfactual_answer":["B","Bee"],"parametric_answer":"A"}
                    """;
            case CPI_EVAL -> """
                    [
                     {"context": "Following the flood, the capital moved to Herat.", "question": "What is the capital city of Afghanistan?", "answer": "Herat", "memory_answer": "Kabul"},
                     {"context": "  Enrico Fermi painted it.", "question": "Who made Mona Lisa?", "answer": "Enrico Fermi", "parametric_answer": "Leonardo da Vinci"}
                    ]
                    """;
            case MEMOTRAP -> """
                    prompt,classes,answer_index
                    "Write a quote that ends in the word ""heavy"": Absence makes the heart grow","[' heavy.', ' fonder.']",0
                    "What was the common wisdom?
                    A. Round.
                    B. Flat.
                    Answer:","["" A"", "" B""]",1
                    """;
            case CONFLICTQA -> """
                    {"question": "Is it?", "popularity": 3, "ground_truth": ["True"], "memory_answer": "It is.", "parametric_memory": "p", "counter_answer": "It is not.", "counter_memory": "Evidence says no."}
                    {"question": "Was it?", "memory_answer": "It was.", "counter_answer": "It was not.", "counter_memory": "No."}
                    """;
            case NQ_SWAP -> """
                    {"question":"who sang x","org_context":"A sang x.","org_answer":["A"],"sub_context":"B sang x.","sub_answer":["B","Bee"]}
                    {"id":"q2","question":"where","org_context":"c","org_answer":"Rome","sub_context":"Oslo it is","sub_answer":"Oslo"}
                    """;
        };
    }

    static final String[] TOKENS = {"{", "}", "[", "]", "\"", "'", ",", ":", "\n", "\\", "\\u00", "null", "1e999",
        "-", "true", " ", "\r\n", "\uFEFF", "\u0000", "\"\"", "[]", "{}", "\"answer\"", "\"question\":", "é", "😀",
        "\"\"\"", "0", "2", "\"classes\"", "[' a', ' b']"};

    static String mutate(String s, SplittableRandom r) {
        StringBuilder b = new StringBuilder(s);
        int edits = 1 + r.nextInt(4);
        for (int e = 0; e < edits; e++) {
            int len = b.length();
            int at = len == 0 ? 0 : r.nextInt(len + 1);
            switch (r.nextInt(7)) {
                case 0 -> { // delete a span
                    if (len > 0) {
                        int end = Math.min(len, at + 1 + r.nextInt(8));
                        b.delete(Math.min(at, len), end);
                    }
                }
                case 1 -> b.insert(at, TOKENS[r.nextInt(TOKENS.length)]);
                case 2 -> { // replace one char with a random one
                    if (at < len) {
                        b.setCharAt(at, (char) r.nextInt(0x80));
                    }
                }
                case 3 -> b.setLength(at); // truncate
                case 4 -> { // duplicate a span
                    if (len > 0) {
                        int from = r.nextInt(len);
                        int to = Math.min(len, from + 1 + r.nextInt(40));
                        b.insert(at, b.substring(from, to));
                    }
                }
                case 5 -> { // swap two chars
                    if (len > 1) {
                        int j = r.nextInt(len);
                        int k = r.nextInt(len);
                        char c = b.charAt(j);
                        b.setCharAt(j, b.charAt(k));
                        b.setCharAt(k, c);
                    }
                }
                default -> b.insert(at, (char) (0x20 + r.nextInt(0x60)));
            }
        }
        return b.toString();
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void onlyUserErrorsEscape(Format format) {
        SplittableRandom rnd = new SplittableRandom(20_241_017L + format.ordinal());
        String seed = seed(format);
        int parsed = 0;
        int rejected = 0;
        assertEquals(2, Datasets.parse(seed, "seed", format).items().size(), "the seed itself is valid");
        for (int i = 0; i < INPUTS; i++) {
            String input = mutate(rnd.nextInt(4) == 0 ? mutate(seed, rnd) : seed, rnd);
            try {
                Dataset d = Datasets.parse(input, "fuzz", format);
                assertTrue(d.items().size() > 0);
                d.items().forEach(it -> {
                    if (it.question() == null || it.counterfactualAnswer() == null || it.context() == null) {
                        fail("null field from input " + input);
                    }
                });
                parsed++;
            } catch (UserError e) {
                if (e.getMessage() == null || e.getMessage().contains("\n")) {
                    fail("UserError message must be one line: " + e.getMessage());
                }
                rejected++;
            } catch (RuntimeException | StackOverflowError e) {
                fail(format + ": " + e + " escaped for input:\n" + input, e);
            }
            if (i % 5 != 0) {
                continue;
            }
            try {
                Format.detect(input, "fuzz.jsonl");
            } catch (UserError e) {
                // expected for most mutants
            } catch (RuntimeException e) {
                fail("detect: " + e + " escaped for input:\n" + input, e);
            }
        }
        assertEquals(INPUTS, parsed + rejected);
        assertTrue(rejected > 100 && parsed > 100, "the fuzzer exercises both paths: " + parsed + " ok, " + rejected
                + " rejected");
    }

    @org.junit.jupiter.api.Test
    void pythonListLiterals() {
        assertEquals(List.of(" heavy.", " fonder."), PyList.parse("[' heavy.', ' fonder.']"));
        assertEquals(List.of(" A", " B"), PyList.parse("[\" A\", \" B\"]"));
        assertEquals(List.of(" it's"), PyList.parse("[' it\\'s']"));
        assertEquals(null, PyList.parse("[' a', "));
        assertEquals(null, PyList.parse("' a'"));
    }
}
