package cpi.cli;

import ai.djl.ndarray.NDManager;
import cpi.model.ContextPolicy;
import cpi.model.LoadedModel;
import cpi.model.LocalTextModel;
import cpi.model.ModelLoader;
import cpi.util.Djl;
import cpi.util.UserError;
import java.nio.file.Path;

/** Opens an in-process model for cpi eval: ModelLoader.load + LocalTextModel, closed together. */
final class LocalBackend {
    private LocalBackend() {}

    static EvalCommand.Opened open(Path model, ContextPolicy overflow) {
        if (model == null) {
            throw new UserError("no model: pass --model PATH (in-process) or --base-url URL --model-name NAME");
        }
        Djl.engine();
        NDManager manager = NDManager.newBaseManager();
        try {
            LoadedModel loaded = ModelLoader.load(model, manager);
            LocalTextModel tm = new LocalTextModel(loaded).withContextPolicy(overflow);
            AutoCloseable res = () -> {
                loaded.close();
                manager.close();
            };
            return new EvalCommand.Opened(tm, loaded.tokenizer(), res);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }
}
