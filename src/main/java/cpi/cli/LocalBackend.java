package cpi.cli;

import ai.djl.ndarray.NDManager;
import cpi.model.TextModel;
import cpi.model.Tokenizer;
import cpi.util.Djl;
import cpi.util.UserError;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;

/**
 * Opens an in-process model for cpi eval: ModelLoader.load + LocalTextModel. Bound by reflection until the
 * model/infer packages are on this branch, so eval builds without them.
 */
final class LocalBackend {
    private LocalBackend() {}

    static EvalCommand.Opened open(Path model) {
        if (model == null) {
            throw new UserError("no model: pass --model PATH (in-process) or --base-url URL --model-name NAME");
        }
        Djl.engine();
        NDManager manager = NDManager.newBaseManager();
        try {
            Class<?> loader = Class.forName("cpi.model.ModelLoader");
            Object loaded = loader.getMethod("load", Path.class, NDManager.class).invoke(null, model, manager);
            Class<?> ltm = Class.forName("cpi.model.LocalTextModel");
            TextModel tm = (TextModel) ltm.getConstructor(loaded.getClass()).newInstance(loaded);
            Tokenizer tok = (Tokenizer) loaded.getClass().getMethod("tokenizer").invoke(loaded);
            AutoCloseable res = () -> {
                ((AutoCloseable) loaded).close();
                manager.close();
            };
            return new EvalCommand.Opened(tm, tok, res);
        } catch (ClassNotFoundException | NoSuchMethodException | IllegalAccessException | InstantiationException e) {
            manager.close();
            throw new UserError("this build has no in-process model backend (" + e.getMessage() + "); use "
                    + "--base-url/--model-name");
        } catch (InvocationTargetException e) {
            manager.close();
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }
}
