package cpi.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cpi.model.Family;
import cpi.model.HfTokenizer;
import cpi.model.ModelConfig;
import cpi.model.WordTokenizer;
import cpi.util.UserError;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoConfigTest {

    @Test
    void worldOverridesChangeTheNamedSettingOnly() {
        DemoConfig base = DemoConfig.of(false, 0);
        DemoConfig c = base.withWorldOverrides(Map.of("sameRelationDistractor", "0.75", "iftExamples", "500"));
        assertEquals(0.75, c.world().sameRelationDistractor());
        assertEquals(500, c.world().iftExamples());
        assertEquals(base.world().knownSubjects(), c.world().knownSubjects());
        assertEquals(Pretrainer.cacheDir(base), Pretrainer.cacheDir(c), "IFT knobs keep the pretrained model");
        assertNotEquals(Pretrainer.cacheDir(base),
                Pretrainer.cacheDir(base.withWorldOverrides(Map.of("pKnown", "0.4"))), "corpus knobs change it");
    }

    @Test
    void badOverridesAreOneLineErrors() {
        DemoConfig base = DemoConfig.of(true, 0);
        UserError unknown = assertThrows(UserError.class, () -> base.withWorldOverrides(Map.of("nope", "1")));
        assertTrue(unknown.getMessage().contains("sameRelationDistractor"), unknown.getMessage());
        assertThrows(UserError.class, () -> base.withWorldOverrides(Map.of("sameRelationDistractor", "2")));
        assertThrows(UserError.class, () -> base.withWorldOverrides(Map.of("knownSubjects", "many")));
    }

    @Test
    void familyPicksTheArchitectureAndIsPartOfTheCacheKey(@TempDir Path tmp) {
        DemoConfig gpt2 = DemoConfig.of(false, 0);
        DemoConfig llama = gpt2.withFamily("llama");
        List<String> words = IntStream.range(0, 296).mapToObj(i -> "w" + i).toList();
        ModelConfig g;
        ModelConfig l;
        try (HfTokenizer tok = WordTokenizer.build(words, tmp)) {
            g = gpt2.modelConfig(tok);
            l = llama.modelConfig(tok);
            assertEquals(tok.vocabSize(), l.vocabSize());
            assertEquals(Integer.valueOf(tok.eosId().getAsInt()), l.eosTokenId());
        }
        assertEquals(Family.GPT2, g.family());
        assertEquals(Family.LLAMA, l.family());
        assertEquals(1.0, l.rotaryPct(), "llama rotates every head dimension");
        assertEquals(gpt2.hidden(), l.hiddenSize());
        assertEquals(Integer.valueOf(1), l.bosTokenId());
        // SwiGLU's three matrices at 8/3 width hold about GPT-2's two at 4x width
        double ratio = 3.0 * l.intermediateSize() / (2.0 * g.intermediateSize());
        assertTrue(Math.abs(ratio - 1) < 0.02, "MLP size ratio " + ratio);
        assertNotEquals(Pretrainer.cacheDir(gpt2), Pretrainer.cacheDir(llama));
        UserError bad = assertThrows(UserError.class, () -> gpt2.withFamily("bert"));
        assertTrue(bad.getMessage().contains("--family bert"), bad.getMessage());
    }

    @Test
    void variantsParseByIdAndRejectUnknownNames() {
        assertEquals(Variant.QK_ONLY, Variant.parse(" QK_only "));
        assertThrows(UserError.class, () -> Variant.parse("lora"));
    }
}
