package cpi.model;

import java.nio.file.Path;

/**
 * A model ready to run: where it came from, its architecture, weights, tokenizer (null when the
 * checkpoint has none, e.g. stories260K) and the "sha256:..." fingerprint of its weight file bytes.
 */
public record LoadedModel(Path source, ModelConfig config, Transformer transformer, Tokenizer tokenizer,
                          String fingerprint) implements AutoCloseable {

    @Override
    public void close() {
        if (tokenizer != null) {
            tokenizer.close();
        }
        transformer.close();
    }
}
