package cpi.mitigate;

import ai.djl.ndarray.NDManager;
import cpi.model.LoadedModel;
import cpi.model.LocalTextModel;
import cpi.model.ModelLoader;
import cpi.model.TextModel;
import cpi.model.Tokenizer;
import cpi.util.Djl;
import java.nio.file.Path;

/**
 * A model opened for no-context scoring: the TextModel and its tokenizer (null for a served model), plus
 * whatever must be closed with it. {@link #open} loads a local checkpoint in process.
 */
public record ScoringModel(TextModel model, Tokenizer tokenizer, AutoCloseable resources) implements AutoCloseable {

    public static ScoringModel open(Path modelPath) {
        Djl.engine();
        NDManager manager = NDManager.newBaseManager();
        try {
            LoadedModel loaded = ModelLoader.load(modelPath, manager);
            LocalTextModel tm = new LocalTextModel(loaded);
            return new ScoringModel(tm, loaded.tokenizer(), () -> {
                loaded.close();
                manager.close();
            });
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    @Override
    public void close() {
        model.close();
        if (resources != null) {
            try {
                resources.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
