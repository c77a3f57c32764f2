package cpi.model;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ObjectNode;
import cpi.util.Json;
import cpi.util.UserError;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every user-fixable loading problem is a one-line UserError naming the file. */
class LoadErrorsTest {
    static final Path LLAMA = ModelTestSupport.REFERENCE.resolve("llama");

    private static Path copyModel(Path tmp) throws IOException {
        Path dir = tmp.resolve("model");
        Files.createDirectories(dir);
        for (String f : List.of("config.json", "model.safetensors")) {
            Files.copy(LLAMA.resolve(f), dir.resolve(f));
        }
        return dir;
    }

    private static String loadError(Path path) {
        try (NDManager m = ModelTestSupport.manager()) {
            UserError e = assertThrows(UserError.class, () -> ModelLoader.load(path, m).close());
            assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
            return e.getMessage();
        }
    }

    /** Rewrites the safetensors header (keeping the data) through a JSON edit. */
    private static void editHeader(Path file, java.util.function.Consumer<ObjectNode> edit) throws IOException {
        byte[] all = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        ObjectNode h = (ObjectNode) Json.MAPPER.readTree(new String(all, 8, (int) n, StandardCharsets.UTF_8));
        edit.accept(h);
        byte[] json = Json.write(h).getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(8 + json.length + all.length - 8 - (int) n).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(json.length).put(json).put(all, 8 + (int) n, all.length - 8 - (int) n);
        Files.write(file, out.array());
    }

    @Test
    void noConfigJson(@TempDir Path tmp) throws IOException {
        Path dir = copyModel(tmp);
        Files.delete(dir.resolve("config.json"));
        String msg = loadError(dir);
        assertTrue(msg.contains("no config.json") && msg.contains(dir.toString()), msg);
    }

    @Test
    void unknownModelType(@TempDir Path tmp) throws IOException {
        Path dir = copyModel(tmp);
        ObjectNode cfg = (ObjectNode) Json.read(dir.resolve("config.json"));
        cfg.put("model_type", "bert");
        Json.writeFile(dir.resolve("config.json"), cfg);
        String msg = loadError(dir);
        assertTrue(msg.contains("config.json") && msg.contains("'bert'") && msg.contains("gpt2, gpt_neox, llama, mistral"),
                msg);
    }

    @Test
    void unsupportedActivation(@TempDir Path tmp) throws IOException {
        Path dir = copyModel(tmp);
        ObjectNode cfg = (ObjectNode) Json.read(dir.resolve("config.json"));
        cfg.put("hidden_act", "quick_gelu");
        Json.writeFile(dir.resolve("config.json"), cfg);
        String msg = loadError(dir);
        assertTrue(msg.contains("config.json") && msg.contains("'quick_gelu'"), msg);
    }

    @Test
    void headerLengthBeyondFileSize(@TempDir Path tmp) throws IOException {
        Path dir = copyModel(tmp);
        Path st = dir.resolve("model.safetensors");
        byte[] all = Files.readAllBytes(st);
        ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).putLong(0, all.length + 100L);
        Files.write(st, all);
        String msg = loadError(dir);
        assertTrue(msg.contains("model.safetensors") && msg.contains("header length") && msg.contains("beyond"), msg);
    }

    @Test
    void truncatedData(@TempDir Path tmp) throws IOException {
        Path dir = copyModel(tmp);
        Path st = dir.resolve("model.safetensors");
        byte[] all = Files.readAllBytes(st);
        Files.write(st, java.util.Arrays.copyOf(all, all.length - 64));
        String msg = loadError(dir);
        assertTrue(msg.contains("model.safetensors") && msg.contains("out of range"), msg);
    }

    @Test
    void shapeDtypeMismatch(@TempDir Path tmp) throws IOException {
        Path dir = copyModel(tmp);
        editHeader(dir.resolve("model.safetensors"),
                h -> ((ObjectNode) h.get("model.norm.weight")).put("dtype", "F16"));
        String msg = loadError(dir);
        assertTrue(msg.contains("model.safetensors") && msg.contains("model.norm.weight") && msg.contains("mismatch"),
                msg);
    }

    @Test
    void missingTensor(@TempDir Path tmp) throws IOException {
        Path dir = copyModel(tmp);
        editHeader(dir.resolve("model.safetensors"), h -> h.remove("lm_head.weight"));
        String msg = loadError(dir);
        assertTrue(msg.contains("model.safetensors") && msg.contains("missing tensor lm_head.weight"), msg);
    }

    @Test
    void configDisagreesWithWeights(@TempDir Path tmp) throws IOException {
        Path dir = copyModel(tmp);
        ObjectNode cfg = (ObjectNode) Json.read(dir.resolve("config.json"));
        cfg.put("intermediate_size", 65);
        Json.writeFile(dir.resolve("config.json"), cfg);
        String msg = loadError(dir);
        assertTrue(msg.contains("model.safetensors") && msg.contains("config.json"), msg);
    }

    @Test
    void tokenizerLargerThanEmbedding(@TempDir Path tmp) throws IOException {
        Path dir = copyModel(tmp);
        List<String> words = new java.util.ArrayList<>();
        for (int i = 0; i < 200; i++) {
            words.add("w" + i);
        }
        WordTokenizer.build(words, dir).close();
        String msg = loadError(dir);
        assertTrue(msg.contains("tokenizer.json") && msg.contains("205 tokens") && msg.contains("96"), msg);
    }

    @Test
    void shardedIndexLoadsAndMissingShardIsNamed(@TempDir Path tmp) throws IOException {
        Path dir = copyModel(tmp);
        // split into two shards by hand: layer tensors in shard 2, the rest in shard 1
        try (NDManager m = ModelTestSupport.manager(); LoadedModel ref = ModelLoader.load(LLAMA, m)) {
            Path single = dir.resolve("model.safetensors");
            java.util.Map<String, byte[]> raw = CheckpointRoundTripTest.rawTensors(single);
            byte[] all = Files.readAllBytes(single);
            long n = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            var header = Json.MAPPER.readTree(new String(all, 8, (int) n, StandardCharsets.UTF_8));
            List<Safetensors.Pending> s1 = new java.util.ArrayList<>();
            List<Safetensors.Pending> s2 = new java.util.ArrayList<>();
            ObjectNode index = Json.object();
            ObjectNode map = index.putObject("weight_map");
            for (var e : raw.entrySet()) {
                var h = header.get(e.getKey());
                long[] shape = Json.MAPPER.convertValue(h.get("shape"), long[].class);
                byte[] bytes = e.getValue();
                boolean second = e.getKey().contains(".layers.");
                (second ? s2 : s1).add(new Safetensors.Pending(e.getKey(), h.get("dtype").asText(), shape, () -> bytes));
                map.put(e.getKey(), second ? "model-00002-of-00002.safetensors" : "model-00001-of-00002.safetensors");
            }
            Safetensors.write(dir.resolve("model-00001-of-00002.safetensors"), s1);
            Safetensors.write(dir.resolve("model-00002-of-00002.safetensors"), s2);
            Json.writeFile(dir.resolve("model.safetensors.index.json"), index);
            Files.delete(single);
            try (LoadedModel sharded = ModelLoader.load(dir, m)) {
                CheckpointRoundTripTest.assertSameParameters(ref.transformer(), sharded.transformer());
            }
            Files.delete(dir.resolve("model-00002-of-00002.safetensors"));
            String msg = loadError(dir);
            assertTrue(msg.contains("model.safetensors.index.json") && msg.contains("model-00002-of-00002"), msg);
        }
    }

    @Test
    void noWeights(@TempDir Path tmp) throws IOException {
        Path dir = copyModel(tmp);
        Files.delete(dir.resolve("model.safetensors"));
        String msg = loadError(dir);
        assertTrue(msg.contains(dir.toString()) && msg.contains("model.safetensors"), msg);
    }
}
