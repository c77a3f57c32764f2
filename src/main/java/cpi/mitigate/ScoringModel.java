package cpi.mitigate;

import cpi.model.TextModel;
import cpi.util.UserError;
import java.nio.file.Path;
import java.util.function.ToIntFunction;

/**
 * A model opened for no-context scoring: the TextModel plus a target → token count function (the
 * model's own tokenizer, so the score is a per-token mean). {@link #open} loads a local checkpoint in
 * process.
 */
public record ScoringModel(TextModel model, ToIntFunction<String> tokenCounter) implements AutoCloseable {

    public static ScoringModel open(Path modelPath) {
        throw new UserError("--by no-context-loss needs the in-process model loader (cpi.model.LocalTextModel), "
                + "which this build does not have yet; use --by keyword or --by has-context");
    }

    @Override
    public void close() {
        model.close();
    }
}
