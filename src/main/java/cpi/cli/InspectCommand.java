package cpi.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import cpi.model.LoadedModel;
import cpi.model.ModelConfig;
import cpi.model.ModelLoader;
import cpi.util.Djl;
import cpi.util.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** cpi inspect: what a model is — family, shape, parameter count, stored dtype, fingerprint. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Describe a model: family, shape, parameter count, stored dtype and the sha256 fingerprint of its weights.")
public final class InspectCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "PATH", description = "HF model directory or llama2.c .bin file.")
    Path model;

    @Option(names = "--json", description = "Print one JSON object instead of lines.")
    boolean json;

    @Override
    public Integer call() {
        Djl.engine();
        try (NDManager manager = NDManager.newBaseManager()) {
            LoadedModel loaded = ModelLoader.load(model, manager);
            ModelConfig c = loaded.config();
            long params = 0;
            for (NDArray p : loaded.transformer().parameters().values()) {
                params += p.size();
            }
            ObjectNode o = Json.object();
            o.put("model", model.toString());
            o.put("family", c.family().name().toLowerCase(Locale.ROOT));
            o.put("parameters", params);
            o.put("dtype", storedDtype(model));
            o.put("fingerprint", loaded.fingerprint());
            o.put("vocab_size", c.vocabSize());
            o.put("hidden_size", c.hiddenSize());
            o.put("layers", c.numLayers());
            o.put("heads", c.numHeads());
            o.put("kv_heads", c.numKvHeads());
            o.put("intermediate_size", c.intermediateSize());
            o.put("max_positions", c.maxPositions());
            o.put("tokenizer", loaded.tokenizer() == null ? "none" : loaded.tokenizer().vocabSize() + " tokens");
            if (json) {
                System.out.println(Json.write(o));
            } else {
                Iterator<Map.Entry<String, JsonNode>> it = o.fields();
                while (it.hasNext()) {
                    Map.Entry<String, JsonNode> e = it.next();
                    String v = e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString();
                    if (e.getKey().equals("parameters")) {
                        v = String.format(Locale.ROOT, "%,d", e.getValue().asLong());
                    }
                    System.out.printf(Locale.ROOT, "%-18s %s%n", e.getKey() + ":", v);
                }
            }
            loaded.transformer().close();
            if (loaded.tokenizer() != null) {
                loaded.tokenizer().close();
            }
        }
        return 0;
    }

    /**
     * The dtype(s) the weights are stored in, from the safetensors headers (e.g. "F32", "BF16", or
     * "F16 (+F32 x2)" when mixed); llama2.c files are always float32.
     */
    static String storedDtype(Path path) {
        if (Files.isRegularFile(path)) {
            return "F32";
        }
        Map<String, Integer> counts = new TreeMap<>();
        try (var files = Files.list(path)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.getFileName().toString().endsWith(".safetensors"))::iterator) {
                JsonNode header = readHeader(f);
                header.fields().forEachRemaining(e -> {
                    if (!e.getKey().equals("__metadata__") && e.getValue().has("dtype")) {
                        counts.merge(e.getValue().get("dtype").asText(), 1, Integer::sum);
                    }
                });
            }
        } catch (IOException e) {
            return "unknown";
        }
        if (counts.isEmpty()) {
            return "unknown";
        }
        String main = counts.entrySet().stream().max(Map.Entry.comparingByValue()).get().getKey();
        StringBuilder sb = new StringBuilder(main);
        counts.forEach((k, v) -> {
            if (!k.equals(main)) {
                sb.append(" (+").append(k).append(" x").append(v).append(')');
            }
        });
        return sb.toString();
    }

    private static JsonNode readHeader(Path f) throws IOException {
        try (InputStream in = Files.newInputStream(f)) {
            byte[] len = in.readNBytes(8);
            if (len.length < 8) {
                return Json.object();
            }
            long n = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (n <= 0 || n > Math.min(Files.size(f) - 8, 100_000_000L)) {
                return Json.object();
            }
            return Json.MAPPER.readTree(new String(in.readNBytes((int) n), StandardCharsets.UTF_8));
        }
    }
}
