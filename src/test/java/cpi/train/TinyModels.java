package cpi.train;

import ai.djl.ndarray.NDManager;
import cpi.model.LoadedModel;
import cpi.model.ModelConfig;
import cpi.model.Transformer;
import cpi.util.Json;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Random;

/** Tiny random models with a word tokenizer, and matching synthetic IFT data, for finetuning tests. */
final class TinyModels {
    private TinyModels() {}

    static final int VOCAB = 96;

    static ModelConfig llama() {
        return ModelConfig.llama(VOCAB, 32, 2, 4, 2, 64, 128);
    }

    static ModelConfig gpt2() {
        return ModelConfig.gpt2(VOCAB, 32, 2, 4, 128);
    }

    static LoadedModel load(ModelConfig cfg, long seed, NDManager m) {
        return new LoadedModel(Path.of("tiny-" + cfg.family().name().toLowerCase()), cfg, Transformer.random(cfg, seed, m),
                new TestText.WordTok(VOCAB, true), "sha256:tiny-" + seed);
    }

    /** n Alpaca records "Q: what is the capital of cN? (context: the capital of cN is tM) A: tM". */
    static Path alpaca(Path dir, int n, long seed) {
        Random r = new Random(seed);
        ArrayNode a = Json.MAPPER.createArrayNode();
        for (int i = 0; i < n; i++) {
            ObjectNode o = a.addObject();
            String country = "c" + r.nextInt(20);
            String town = "t" + r.nextInt(20);
            o.put("instruction", "what is the capital of " + country + " ?");
            o.put("input", i % 3 == 0 ? "" : "the capital of " + country + " is " + town + " .");
            o.put("output", town);
        }
        Path f = dir.resolve("ift.json");
        Json.writeFile(f, a);
        return f;
    }
}
