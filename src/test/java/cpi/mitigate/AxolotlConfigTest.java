package cpi.mitigate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AxolotlConfigTest {
    static AxolotlConfig.Spec spec(AxolotlConfig.Family f, AxolotlConfig.Mode m) {
        return new AxolotlConfig.Spec("models/base", f, Path.of("data/mix.json"), MixtureExport.Format.ALPACA, m,
                3e-5, 2, 0, 50, 4, 8, 1024, 20, 16, 32, 0.05, 7, "out/run");
    }

    /**
     * How axolotl (utils/freeze.py, LayerNamePattern) applies unfrozen_parameters: every period not followed by
     * '+' is escaped to a literal period, then re.match (anchored at the start of the parameter name).
     */
    static boolean unfrozen(List<String> patterns, String name) {
        for (String p : patterns) {
            if (Pattern.compile(p.replaceAll("\\.(?!\\+)", "\\\\.")).matcher(name).lookingAt()) {
                return true;
            }
        }
        return false;
    }

    static List<String> list(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.forEach(x -> out.add(x.asText()));
        return out;
    }

    @Test
    void qkOnlyLlamaYamlParsesAndUnfreezesExactlyQueryAndKeyProjections() {
        AxolotlConfig.Result r = AxolotlConfig.build(spec(AxolotlConfig.Family.LLAMA, AxolotlConfig.Mode.QK));
        assertTrue(r.warnings().isEmpty());
        JsonNode y = AxolotlConfig.parse(r.yaml());
        assertEquals("models/base", y.path("base_model").asText());
        assertEquals(3e-5, y.path("learning_rate").asDouble(), 1e-15);
        assertEquals(50, y.path("save_steps").asInt());
        assertEquals(2, y.path("num_epochs").asInt());
        assertEquals("alpaca", y.path("datasets").get(0).path("type").asText());
        assertEquals("data/mix.json", y.path("datasets").get(0).path("path").asText());
        assertFalse(y.has("adapter"));
        List<String> u = list(y.path("unfrozen_parameters"));
        assertTrue(unfrozen(u, "model.layers.0.self_attn.q_proj.weight"));
        assertTrue(unfrozen(u, "model.layers.31.self_attn.k_proj.weight"));
        assertFalse(unfrozen(u, "model.layers.3.self_attn.v_proj.weight"));
        assertFalse(unfrozen(u, "model.layers.3.self_attn.o_proj.weight"));
        assertFalse(unfrozen(u, "model.layers.3.mlp.up_proj.weight"));
        assertFalse(unfrozen(u, "model.embed_tokens.weight"));
        assertFalse(unfrozen(u, "lm_head.weight"));
    }

    @Test
    void loraNamesEachFamilysAttentionModules() {
        JsonNode llama = AxolotlConfig.parse(AxolotlConfig.build(spec(AxolotlConfig.Family.MISTRAL,
                AxolotlConfig.Mode.LORA)).yaml());
        assertEquals("lora", llama.path("adapter").asText());
        assertEquals(List.of("q_proj", "k_proj", "v_proj", "o_proj"), list(llama.path("lora_target_modules")));
        assertEquals(16, llama.path("lora_r").asInt());
        assertFalse(llama.has("unfrozen_parameters"));
        JsonNode neox = AxolotlConfig.parse(AxolotlConfig.build(spec(AxolotlConfig.Family.GPT_NEOX,
                AxolotlConfig.Mode.LORA)).yaml());
        assertEquals(List.of("query_key_value", "dense"), list(neox.path("lora_target_modules")));
        JsonNode gpt2 = AxolotlConfig.parse(AxolotlConfig.build(spec(AxolotlConfig.Family.GPT2,
                AxolotlConfig.Mode.LORA)).yaml());
        assertEquals(List.of("c_attn", "c_proj"), list(gpt2.path("lora_target_modules")));
        assertTrue(gpt2.path("lora_fan_in_fan_out").asBoolean());
    }

    @Test
    void fusedQkvFamiliesFallBackToTheWholeQkvWithAWarning() {
        AxolotlConfig.Result neox = AxolotlConfig.build(spec(AxolotlConfig.Family.GPT_NEOX, AxolotlConfig.Mode.QK));
        assertEquals(1, neox.warnings().size());
        assertTrue(neox.warnings().get(0).contains("query_key_value"));
        assertTrue(neox.yaml().contains("# WARNING: gpt_neox stores Q, K and V fused"));
        List<String> u = list(AxolotlConfig.parse(neox.yaml()).path("unfrozen_parameters"));
        assertTrue(unfrozen(u, "gpt_neox.layers.5.attention.query_key_value.weight"));
        assertTrue(unfrozen(u, "gpt_neox.layers.5.attention.query_key_value.bias"));
        assertFalse(unfrozen(u, "gpt_neox.layers.5.attention.dense.weight"));
        AxolotlConfig.Result gpt2 = AxolotlConfig.build(spec(AxolotlConfig.Family.GPT2, AxolotlConfig.Mode.QK));
        assertTrue(gpt2.warnings().get(0).contains("c_attn"));
        List<String> g = list(AxolotlConfig.parse(gpt2.yaml()).path("unfrozen_parameters"));
        assertTrue(unfrozen(g, "transformer.h.11.attn.c_attn.weight"));
        assertFalse(unfrozen(g, "transformer.h.11.attn.c_proj.weight"));
    }

    @Test
    void familyComesFromConfigJsonAndMessagesUseChatTemplate(@TempDir Path tmp) throws Exception {
        Files.writeString(tmp.resolve("config.json"), "{\"model_type\": \"gpt_neox\"}");
        assertEquals(AxolotlConfig.Family.GPT_NEOX, AxolotlConfig.detectFamily(tmp));
        AxolotlConfig.Spec s = new AxolotlConfig.Spec("m", AxolotlConfig.Family.LLAMA, Path.of("mix.jsonl"),
                MixtureExport.Format.MESSAGES, AxolotlConfig.Mode.FULL, 1e-5, 1, 300, 100, 1, 1, 512, 0, 8, 16, 0, 0,
                "o");
        JsonNode y = AxolotlConfig.parse(AxolotlConfig.build(s).yaml());
        assertEquals("chat_template", y.path("datasets").get(0).path("type").asText());
        assertEquals("messages", y.path("datasets").get(0).path("field_messages").asText());
        assertEquals(300, y.path("max_steps").asInt());
        assertFalse(y.has("num_epochs"));
    }

    @Test
    void runSettingsFillTheSpecAndCpiLoraNamesMapToModules(@TempDir Path tmp) throws Exception {
        Files.writeString(tmp.resolve("run.json"), "{\"name\":\"r\",\"config\":{\"model\":\"m\",\"data\":\"d.json\","
                + "\"train\":\"LORA\",\"lr\":0.0003,\"maxSteps\":200,\"saveEvery\":40,\"batchSize\":16,"
                + "\"loraRank\":4,\"loraTargets\":[\"q\",\"v\"],\"seed\":9}}");
        RunSettings s = RunSettings.read(tmp);
        assertEquals("LORA", s.mode());
        assertEquals(3e-4, s.lr());
        assertEquals(200L, s.maxSteps());
        assertEquals(40, s.saveEvery());
        assertEquals(List.of("q", "v"), s.loraTargets());
        assertEquals(List.of("q_proj", "v_proj"), AxolotlConfig.loraTargets(AxolotlConfig.Family.LLAMA, s.loraTargets()));
        assertEquals(List.of("query_key_value"), AxolotlConfig.loraTargets(AxolotlConfig.Family.GPT_NEOX,
                List.of("q", "k", "v")));
    }
}
