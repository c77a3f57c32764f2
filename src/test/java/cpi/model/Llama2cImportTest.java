package cpi.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import cpi.util.Json;
import cpi.util.UserError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * stories260K (llama2.c legacy .bin): a plain greedy loop with full recomputation, starting from BOS (id 1),
 * must give exactly the 80 ids llama2.c's run.c gives (src/test/resources/reference/stories260K_greedy.json,
 * cross-checked by two independent implementations). Also checks the position-0 logits numerically.
 */
class Llama2cImportTest {
    static final Path BIN = ModelTestSupport.SHARED_MODELS.resolve("stories260K/stories260K.bin");

    @Test
    void greedyIdsMatchRunC() {
        JsonNode ref = Json.read(ModelTestSupport.REFERENCE.resolve("stories260K_greedy.json"));
        int n = ref.get("max_new_tokens").asInt();
        int[] want = new int[n];
        for (int i = 0; i < n; i++) {
            want[i] = ref.get("generated_ids").get(i).asInt();
        }
        try (NDManager m = ModelTestSupport.manager(); LoadedModel model = ModelLoader.load(BIN, m)) {
            assertEquals("sha256:" + ref.get("checkpoint_sha256").asText(), model.fingerprint());
            assertNull(model.tokenizer());
            ModelConfig c = model.config();
            assertEquals(Family.LLAMA, c.family());
            assertEquals(64, c.hiddenSize());
            assertEquals(8, c.numHeads());
            assertEquals(4, c.numKvHeads());
            assertEquals(512, c.vocabSize());
            assertTrue(c.tieWordEmbeddings());
            long[] seq = new long[n + 1];
            seq[0] = 1;
            int[] got = new int[n];
            for (int step = 0; step < n; step++) {
                try (NDManager s = m.newSubManager()) {
                    long[] prefix = java.util.Arrays.copyOf(seq, step + 1);
                    NDArray ids = s.create(prefix, new Shape(1, step + 1));
                    NDArray logits = model.transformer().forward(ids, null, null, false, null);
                    if (step == 0) {
                        float[] l0 = logits.toFloatArray();
                        JsonNode refL = ref.get("logits_after_bos");
                        float[] w = new float[refL.size()];
                        for (int i = 0; i < w.length; i++) {
                            w[i] = (float) refL.get(i).asDouble();
                        }
                        assertTrue(ModelTestSupport.maxAbsDiff(l0, w) < 1e-4, "position-0 logits differ");
                    }
                    int next = (int) logits.get(0, step).argMax().getLong();
                    got[step] = next;
                    seq[step + 1] = next;
                }
            }
            assertArrayEquals(want, got);
        }
    }

    @Test
    void truncatedBinIsAUserError(@TempDir Path tmp) throws IOException {
        byte[] all = Files.readAllBytes(BIN);
        Path cut = tmp.resolve("cut.bin");
        Files.write(cut, java.util.Arrays.copyOf(all, all.length / 2));
        try (NDManager m = ModelTestSupport.manager()) {
            UserError e = assertThrows(UserError.class, () -> ModelLoader.load(cut, m));
            assertTrue(e.getMessage().contains("cut.bin") && e.getMessage().contains("truncated"), e.getMessage());
        }
    }
}
