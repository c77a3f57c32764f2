package cpi.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import cpi.util.UserError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;

/** Loads a HF model directory (config.json + safetensors + tokenizer.json) or a llama2.c .bin checkpoint. */
public final class ModelLoader {
    private ModelLoader() {}

    /**
     * Loads weights as float32 into a sub-manager of {@code manager} (closed with the transformer).
     *
     * @param dirOrLlama2cBin a HF model directory, its config.json, or a llama2.c {@code .bin} file
     */
    public static LoadedModel load(Path dirOrLlama2cBin, NDManager manager) {
        Path path = dirOrLlama2cBin;
        if (!Files.exists(path)) {
            throw new UserError(path + ": no such model directory or file (pass a HF model directory or a "
                    + "llama2.c .bin checkpoint)");
        }
        if (Files.isRegularFile(path) && path.getFileName().toString().equals("config.json")) {
            path = path.toAbsolutePath().getParent();
        }
        if (Files.isRegularFile(path)) {
            if (path.getFileName().toString().endsWith(".bin")) {
                return Llama2c.load(path, manager);
            }
            throw new UserError(path + ": not a model (pass a HF model directory or a llama2.c .bin checkpoint)");
        }
        ModelConfig cfg = ModelConfig.read(path.resolve("config.json"));
        Tokenizer tok = null;
        if (Files.isRegularFile(path.resolve("tokenizer.json"))) {
            tok = HfTokenizer.load(path);
            if (tok.vocabSize() > cfg.vocabSize()) {
                int n = tok.vocabSize();
                tok.close();
                throw new UserError(path.resolve("tokenizer.json") + ": the tokenizer has " + n
                        + " tokens but the model's embedding has only " + cfg.vocabSize()
                        + " rows (tokenizer and model do not match; use the model's own tokenizer.json)");
            }
        } else if (Files.isRegularFile(path.resolve("tokenizer.bin"))) {
            tok = Llama2cTokenizer.load(path.resolve("tokenizer.bin"), cfg.vocabSize());
        }
        String fingerprint = Checkpoints.fingerprint(path);
        NDManager m = manager.newSubManager();
        try (WeightFiles files = WeightFiles.open(path)) {
            LinkedHashMap<String, NDArray> params = HfLayout.load(cfg, files, m);
            Transformer t = new Transformer(cfg, params, m);
            return new LoadedModel(path, cfg, t, tok, fingerprint);
        } catch (RuntimeException e) {
            m.close();
            if (tok != null) {
                tok.close();
            }
            throw e;
        }
    }
}
