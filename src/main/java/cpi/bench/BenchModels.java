package cpi.bench;

import ai.djl.ndarray.NDManager;
import cpi.model.ModelConfig;
import cpi.model.Transformer;
import cpi.util.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The model shapes the benchmarks use, as Hugging Face config.json text (read through the normal
 * loader, so the bench runs exactly the code users run). Same shapes as tools/bench/torch_reference.py.
 */
public final class BenchModels {
    /** The demo model: gpt2 family, 3 layers, d 128, 4 heads, learned positions, tied embeddings, ~700 words. */
    public static final String DEMO = """
            {"model_type": "gpt2", "vocab_size": 700, "n_embd": 128, "n_layer": 3, "n_head": 4, "n_inner": 512,
             "n_positions": 128, "activation_function": "gelu_new", "layer_norm_epsilon": 1e-5,
             "tie_word_embeddings": true, "bos_token_id": 0, "eos_token_id": 0}
            """;

    /** Pythia-70m's shape: gpt_neox, hidden 512, 6 layers, 8 heads, intermediate 2048, vocab 50304, rotary_pct 0.25. */
    public static final String PYTHIA_70M = """
            {"model_type": "gpt_neox", "vocab_size": 50304, "hidden_size": 512, "num_hidden_layers": 6,
             "num_attention_heads": 8, "intermediate_size": 2048, "max_position_embeddings": 2048,
             "rotary_pct": 0.25, "rotary_emb_base": 10000, "use_parallel_residual": true, "hidden_act": "gelu",
             "layer_norm_eps": 1e-5, "tie_word_embeddings": false, "bos_token_id": 0, "eos_token_id": 0}
            """;

    private BenchModels() {}

    public static ModelConfig config(String json) {
        try {
            Path dir = Files.createTempDirectory("cpi-bench-");
            Path file = dir.resolve("config.json");
            AtomicFiles.writeString(file, json);
            ModelConfig c = ModelConfig.read(file);
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
            return c;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Transformer random(String json, NDManager manager) {
        return Transformer.random(config(json), 0L, manager);
    }
}
