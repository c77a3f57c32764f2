package cpi.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import cpi.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HF tokenizer.json through DJL: the real GPT-2 tokenizer of fake_gpt2 and cpi's word-level tokenizer. */
class TokenizerTest {
    static final Path FAKE_GPT2 = ModelTestSupport.SHARED_MODELS.resolve("fake_gpt2");

    @Test
    void fakeGpt2LoadsRunsAndRoundTripsText(@TempDir Path tmp) {
        try (NDManager m = ModelTestSupport.manager(); LoadedModel model = ModelLoader.load(FAKE_GPT2, m)) {
            assertEquals(Family.GPT2, model.config().family());
            assertEquals(50257, model.config().vocabSize());
            Tokenizer tok = model.tokenizer();
            assertEquals(50257, tok.vocabSize());
            assertEquals(OptionalInt.of(50256), tok.eosId());
            assertEquals(OptionalInt.empty(), tok.bosId(), "GPT-2 does not add bos by itself");
            assertEquals(50256, tok.padId());
            String[] texts = {"Hello world", " leading space and  double spaces", "Q: Who wrote Hamlet?\nA:",
                "unicode: café, naïve, 東京, emoji 🙂", "tabs\tand\r\nnewlines\n\n", "", "<|endoftext|>after"};
            for (String text : texts) {
                int[] ids = tok.encode(text);
                assertEquals(text, tok.decode(ids), "round trip of " + text);
            }
            assertArrayEquals(new int[] {15496, 995}, tok.encode("Hello world"));
            String longText = "word ".repeat(2000);
            assertEquals(2001, tok.encode(longText).length, "no truncation (2000 words + trailing space)");
            assertTrue(model.fingerprint().startsWith("sha256:"));
            try (NDManager s = m.newSubManager()) {
                int[] ids = tok.encode("Hello world");
                NDArray logits = model.transformer().forward(s.create(new long[] {ids[0], ids[1]}, new Shape(1, 2)),
                        null, null, false, null);
                assertEquals(new Shape(1, 2, 50257), logits.getShape());
            }
            tok.saveTo(tmp);
            assertTrue(Files.isRegularFile(tmp.resolve("tokenizer.json")));
            assertTrue(Files.isRegularFile(tmp.resolve("tokenizer_config.json")));
            try (HfTokenizer again = HfTokenizer.load(tmp)) {
                assertArrayEquals(tok.encode("Hello world"), again.encode("Hello world"));
            }
        }
    }

    @Test
    void wordTokenizer(@TempDir Path tmp) {
        try (HfTokenizer tok = WordTokenizer.build(List.of("Q", ":", "A", "the", "capital", "of", "Zorbia", "is",
                "Vell", "?", "."), tmp)) {
            assertEquals(4 + 1 + 11, tok.vocabSize());
            assertEquals(OptionalInt.of(1), tok.bosId());
            assertEquals(OptionalInt.of(2), tok.eosId());
            assertEquals(0, tok.padId());
            int[] ids = tok.encode("Q: the capital of Zorbia?\nA: Vell.");
            assertArrayEquals(new int[] {5, 6, 8, 9, 10, 11, 14, 4, 7, 6, 13, 15}, ids);
            assertEquals("Q : the capital of Zorbia ? \n A : Vell .", tok.decode(ids));
            assertArrayEquals(new int[] {3}, tok.encode("unknownword"));
            assertFalse(tok.chatTemplate().isPresent());
            assertEquals("<bos>", Json.read(tmp.resolve("tokenizer_config.json")).get("bos_token").asText());
        }
    }

    @Test
    void chatTemplateIsRead(@TempDir Path tmp) throws Exception {
        WordTokenizer.build(List.of("hi"), tmp).close();
        var cfg = (com.fasterxml.jackson.databind.node.ObjectNode) Json.read(tmp.resolve("tokenizer_config.json"));
        cfg.put("chat_template", "{% for m in messages %}{{ m['content'] }}{% endfor %}");
        Json.writeFile(tmp.resolve("tokenizer_config.json"), cfg);
        try (HfTokenizer tok = HfTokenizer.load(tmp.resolve("tokenizer.json"))) {
            assertEquals("{% for m in messages %}{{ m['content'] }}{% endfor %}", tok.chatTemplate().orElseThrow());
        }
    }
}
