package cpi.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import cpi.util.Json;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each family's full forward pass against logits computed independently in plain torch by
 * tools/reference/make_fixtures.py (see src/test/resources/reference/README.md): tiny random HF
 * checkpoints, two 7-token rows, tolerance 1e-4 (which the README shows catches RoPE-convention,
 * rope_theta, GQA-mapping, residual-order and GELU-variant bugs).
 */
class ReferenceForwardTest {

    @ParameterizedTest
    @ValueSource(strings = {"gpt2", "gpt2_bf16", "gpt_neox", "llama", "llama_f16", "mistral"})
    void logitsMatchTorchReference(String name) {
        Path dir = ModelTestSupport.REFERENCE.resolve(name);
        JsonNode expected = Json.read(dir.resolve("expected_logits.json"));
        JsonNode shape = expected.get("shape");
        JsonNode flat = expected.get("logits");
        float[] want = new float[flat.size()];
        for (int i = 0; i < want.length; i++) {
            want[i] = (float) flat.get(i).asDouble();
        }
        try (NDManager m = ModelTestSupport.manager();
             LoadedModel model = ModelLoader.load(dir, m);
             NDManager step = m.newSubManager()) {
            assertEquals(name.startsWith("gpt2") ? Family.GPT2 : name.startsWith("gpt_neox") ? Family.GPT_NEOX
                    : name.startsWith("mistral") ? Family.MISTRAL : Family.LLAMA, model.config().family());
            NDArray logits = model.transformer().forward(ModelTestSupport.ids(step, ModelTestSupport.inputIds(dir)),
                    null, null, false, null);
            assertArrayEquals(new long[] {shape.get(0).asLong(), shape.get(1).asLong(), shape.get(2).asLong()},
                    logits.getShape().getShape());
            float diff = ModelTestSupport.maxAbsDiff(logits.toFloatArray(), want);
            assertTrue(diff < 1e-4, name + ": max |logit diff| " + diff);
        }
    }
}
