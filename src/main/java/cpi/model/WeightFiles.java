package cpi.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import cpi.util.Json;
import cpi.util.UserError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** The safetensors weights of a HF model directory: model.safetensors or a sharded index. */
final class WeightFiles implements AutoCloseable {
    static final String SINGLE = "model.safetensors";
    static final String INDEX = "model.safetensors.index.json";

    private final Path dir;
    private final Map<String, Safetensors.Reader> byTensor = new LinkedHashMap<>();
    private final List<Safetensors.Reader> readers = new ArrayList<>();

    private WeightFiles(Path dir) {
        this.dir = dir;
    }

    /** The weight files of a directory, in a stable order (for the fingerprint). */
    static List<Path> files(Path dir) {
        Path single = dir.resolve(SINGLE);
        if (Files.isRegularFile(single)) {
            return List.of(single);
        }
        Path index = dir.resolve(INDEX);
        if (Files.isRegularFile(index)) {
            JsonNode map = Json.read(index).path("weight_map");
            if (!map.isObject() || map.size() == 0) {
                throw new UserError(index + ": no weight_map (corrupt index); re-download or re-save the model");
            }
            TreeSet<String> shards = new TreeSet<>();
            map.fields().forEachRemaining(e -> shards.add(e.getValue().asText()));
            List<Path> out = new ArrayList<>();
            for (String s : shards) {
                Path p = dir.resolve(s);
                if (!Files.isRegularFile(p)) {
                    throw new UserError(index + ": shard " + s + " is missing from " + dir
                            + " (download all shards)");
                }
                out.add(p);
            }
            return out;
        }
        if (Files.isRegularFile(dir.resolve("pytorch_model.bin"))) {
            throw new UserError(dir + ": only pytorch_model.bin found; cpi reads safetensors (convert with "
                    + "transformers: model.save_pretrained(dir, safe_serialization=True))");
        }
        throw new UserError(dir + ": no " + SINGLE + " or " + INDEX + " (a HF model directory needs its weights)");
    }

    static WeightFiles open(Path dir) {
        WeightFiles w = new WeightFiles(dir);
        try {
            Path index = dir.resolve(INDEX);
            if (!Files.isRegularFile(dir.resolve(SINGLE)) && Files.isRegularFile(index)) {
                Map<String, Safetensors.Reader> shardReaders = new LinkedHashMap<>();
                JsonNode map = Json.read(index).path("weight_map");
                for (Path shard : files(dir)) {
                    Safetensors.Reader r = Safetensors.Reader.open(shard);
                    shardReaders.put(shard.getFileName().toString(), r);
                    w.readers.add(r);
                }
                Iterator<Map.Entry<String, JsonNode>> it = map.fields();
                while (it.hasNext()) {
                    Map.Entry<String, JsonNode> e = it.next();
                    Safetensors.Reader r = shardReaders.get(e.getValue().asText());
                    if (r.entry(e.getKey()) == null) {
                        throw new UserError(index + ": tensor " + e.getKey() + " is listed in shard "
                                + e.getValue().asText() + " but not stored there (corrupt or mixed download)");
                    }
                    w.byTensor.put(e.getKey(), r);
                }
            } else {
                Safetensors.Reader r = Safetensors.Reader.open(files(dir).get(0));
                w.readers.add(r);
                for (String n : r.names()) {
                    w.byTensor.put(n, r);
                }
            }
        } catch (RuntimeException e) {
            w.close();
            throw e;
        }
        return w;
    }

    Path dir() {
        return dir;
    }

    boolean has(String name) {
        return byTensor.containsKey(name);
    }

    java.util.Set<String> names() {
        return byTensor.keySet();
    }

    /** Where an error about the weights should point: the single file, or the index. */
    Path describe() {
        return readers.size() == 1 ? readers.get(0).file() : dir.resolve(INDEX);
    }

    Safetensors.Entry entry(String name) {
        Safetensors.Reader r = byTensor.get(name);
        return r == null ? null : r.entry(name);
    }

    NDArray read(String name, NDManager m) {
        Safetensors.Reader r = byTensor.get(name);
        if (r == null) {
            throw new UserError(describe() + ": missing tensor " + name
                    + " (the weights do not match config.json; re-download or re-save the model)");
        }
        return r.readFloat32(name, m);
    }

    /** The dtype most tensors are stored in (for the default save dtype). */
    String dominantDtype() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String n : byTensor.keySet()) {
            counts.merge(entry(n).dtype(), 1, Integer::sum);
        }
        return counts.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse("F32");
    }

    @Override
    public void close() {
        for (Safetensors.Reader r : readers) {
            r.close();
        }
    }
}
