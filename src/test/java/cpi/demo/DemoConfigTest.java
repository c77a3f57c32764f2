package cpi.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cpi.util.UserError;
import java.util.Map;
import org.junit.jupiter.api.Test;

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
    void variantsParseByIdAndRejectUnknownNames() {
        assertEquals(Variant.QK_ONLY, Variant.parse(" QK_only "));
        assertThrows(UserError.class, () -> Variant.parse("lora"));
    }
}
