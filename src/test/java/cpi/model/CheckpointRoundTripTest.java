package cpi.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import cpi.util.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Saving and loading: bit-identical parameters, HF layout restored byte for byte, valid header. */
class CheckpointRoundTripTest {

    /** Loading a reference checkpoint and saving it in its own dtype reproduces every file tensor's bytes. */
    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "gpt2_bf16", "gpt_neox", "llama", "llama_f16", "mistral"})
    void savedFileTensorsEqualTheOriginal(String name, @TempDir Path tmp) throws IOException {
        Path dir = ModelTestSupport.REFERENCE.resolve(name);
        try (NDManager m = ModelTestSupport.manager(); LoadedModel model = ModelLoader.load(dir, m)) {
            DataType dtype = Checkpoints.parseDtype(model.config().torchDtype());
            Path out = tmp.resolve("saved");
            Checkpoints.save(model.transformer(), null, out, dtype);
            Map<String, byte[]> original = rawTensors(dir.resolve("model.safetensors"));
            Map<String, byte[]> saved = rawTensors(out.resolve("model.safetensors"));
            for (Map.Entry<String, byte[]> e : original.entrySet()) {
                String key = saved.containsKey(e.getKey()) ? e.getKey() : "transformer." + e.getKey();
                assertTrue(saved.containsKey(key), name + ": saved file lacks " + e.getKey());
                assertArrayEquals(e.getValue(), saved.get(key), name + ": bytes of " + e.getKey());
            }
            assertEquals(original.size(), saved.size(), name + ": tensor count");
            JsonNode cfg = Json.read(out.resolve("config.json"));
            assertEquals(model.config().family().modelType(), cfg.get("model_type").asText());
            assertEquals(model.config(), ModelConfig.read(out.resolve("config.json")).withExtra(model.config().extra()));
            // and it loads back to the same parameters
            try (LoadedModel back = ModelLoader.load(out, m)) {
                assertSameParameters(model.transformer(), back.transformer());
            }
        }
    }

    /** Random models of every family saved in f32/f16/bf16 load back bit-identically (after the first rounding). */
    @ParameterizedTest
    @ValueSource(strings = {"float32", "float16", "bfloat16"})
    void randomModelsRoundTrip(String dtypeName, @TempDir Path tmp) {
        DataType dtype = Checkpoints.parseDtype(dtypeName);
        try (NDManager m = ModelTestSupport.manager()) {
            for (ModelConfig cfg : TransformerTest.configs().toList()) {
                try (Transformer t = Transformer.random(cfg, 5, m.newSubManager())) {
                    Path a = tmp.resolve(cfg.family() + "-a");
                    Path b = tmp.resolve(cfg.family() + "-b");
                    Checkpoints.save(t, null, a, dtype);
                    try (LoadedModel la = ModelLoader.load(a, m)) {
                        if (dtype == DataType.FLOAT32) {
                            assertSameParameters(t, la.transformer());
                        }
                        Checkpoints.save(la.transformer(), null, b, dtype);
                        try (LoadedModel lb = ModelLoader.load(b, m)) {
                            assertSameParameters(la.transformer(), lb.transformer());
                            assertEquals(la.fingerprint(), lb.fingerprint());
                            assertEquals(dtypeName, lb.config().torchDtype());
                        }
                    }
                }
            }
        }
    }

    /** fake_gpt2 (written by transformers, no "transformer." prefix) saved with its tokenizer loads back whole. */
    @Test
    void fakeGpt2WithTokenizer(@TempDir Path tmp) {
        try (NDManager m = ModelTestSupport.manager();
             LoadedModel model = ModelLoader.load(TokenizerTest.FAKE_GPT2, m)) {
            Checkpoints.save(model.transformer(), model.tokenizer(), tmp, DataType.FLOAT32);
            try (LoadedModel back = ModelLoader.load(tmp, m)) {
                assertSameParameters(model.transformer(), back.transformer());
                assertArrayEquals(model.tokenizer().encode("Hello there, world"),
                        back.tokenizer().encode("Hello there, world"));
                assertEquals(model.tokenizer().eosId(), back.tokenizer().eosId());
                assertEquals(50256, back.config().eosTokenId());
            }
        }
    }

    @Test
    void headerIsHfValid(@TempDir Path tmp) throws IOException {
        try (NDManager m = ModelTestSupport.manager();
             Transformer t = Transformer.random(ModelConfig.gpt2(40, 16, 1, 2, 32), 1, m.newSubManager())) {
            Checkpoints.save(t, null, tmp, DataType.FLOAT32);
            byte[] file = Files.readAllBytes(tmp.resolve("model.safetensors"));
            long n = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            assertEquals(0, n % 8);
            JsonNode h = Json.MAPPER.readTree(new String(file, 8, (int) n, StandardCharsets.UTF_8).trim());
            assertEquals("pt", h.get("__metadata__").get("format").asText());
            assertEquals("F32", h.get("transformer.h.0.attn.c_attn.weight").get("dtype").asText());
            assertEquals("[16,48]", h.get("transformer.h.0.attn.c_attn.weight").get("shape").toString());
            assertTrue(!h.has("lm_head.weight"), "tied head must not be written");
        }
    }

    static void assertSameParameters(Transformer x, Transformer y) {
        assertEquals(x.parameters().keySet(), y.parameters().keySet());
        for (Map.Entry<String, NDArray> e : x.parameters().entrySet()) {
            NDArray other = y.parameters().get(e.getKey());
            assertEquals(e.getValue().getShape(), other.getShape(), e.getKey());
            assertArrayEquals(e.getValue().toByteArray(), other.toByteArray(), "bits of " + e.getKey());
        }
    }

    /** name -> raw bytes of every tensor in a safetensors file (independent of cpi's reader). */
    static Map<String, byte[]> rawTensors(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        JsonNode h = Json.MAPPER.readTree(new String(all, 8, (int) n, StandardCharsets.UTF_8));
        Map<String, byte[]> out = new java.util.TreeMap<>();
        h.fields().forEachRemaining(e -> {
            if (!e.getKey().equals("__metadata__")) {
                int b = e.getValue().get("data_offsets").get(0).asInt();
                int end = e.getValue().get("data_offsets").get(1).asInt();
                out.put(e.getKey(), Arrays.copyOfRange(all, (int) (8 + n + b), (int) (8 + n + end)));
            }
        });
        return out;
    }
}
