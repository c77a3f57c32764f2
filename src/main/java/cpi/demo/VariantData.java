package cpi.demo;

import com.fasterxml.jackson.databind.node.ObjectNode;
import cpi.mitigate.MitigationData;
import cpi.mitigate.NoContextLossFilter;
import cpi.model.LoadedModel;
import cpi.model.LocalTextModel;
import cpi.model.ModelLoader;
import cpi.util.AtomicFiles;
import cpi.util.Djl;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/** The IFT files of the mitigation variants, written next to the world's. */
final class VariantData {
    private VariantData() {}

    /**
     * Context-critical filtering: the pretrained model scores each example's answer without context in
     * the statement form it was pretrained on (closed_book_prompt), and every example whose answer it
     * already predicts without the context (mean loss below maxLoss nats; ln 2 = probability above one
     * half) is dropped. The threshold uses no labels; info records how the drop split by the kinds the
     * world knows.
     */
    static Path filtered(Path modelDir, Path ift, Path outFile, double maxLoss, ObjectNode info) {
        Djl.engine();
        var examples = MitigationData.read(ift);
        try (var manager = ai.djl.ndarray.NDManager.newBaseManager()) {
            LoadedModel loaded = ModelLoader.load(modelDir, manager);
            LocalTextModel model = new LocalTextModel(loaded);
            var options = NoContextLossFilter.Options.defaults(0)
                    .withField(NoContextLossFilter.ScoreField.CLOSED_BOOK_PROMPT).withBatchSize(256);
            double[] scores = new NoContextLossFilter(model, options).score(examples);
            double drop = NoContextLossFilter.shareBelow(scores, maxLoss);
            var result = new NoContextLossFilter(model, options.withDropFraction(drop)).select(examples, scores);
            int nc = 0;
            int cc = 0;
            for (var e : result.dropped()) {
                if ("context_critical".equals(e.kind())) {
                    cc++;
                } else {
                    nc++;
                }
            }
            info.put("total", result.total());
            info.put("dropped", result.dropped().size());
            info.put("drop_fraction", drop);
            info.put("max_loss", maxLoss);
            info.put("dropped_non_context_critical", nc);
            info.put("dropped_context_critical", cc);
            info.put("score", "no-context loss of the answer after closed_book_prompt, pretrained model; "
                    + "dropped when below max_loss");
            try {
                Files.createDirectories(outFile.getParent());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            MitigationData.write(outFile, result.kept());
            return outFile;
        }
    }

    /** The IFT set plus round(fraction × size) counterfactual examples, shuffled with the seed. */
    static Path augmented(Path ift, Path counterfactual, Path outFile, double fraction, long seed) {
        try {
            List<String> lines = new ArrayList<>(nonBlank(Files.readAllLines(ift)));
            List<String> cf = nonBlank(Files.readAllLines(counterfactual));
            int n = (int) Math.min(cf.size(), Math.round(fraction * lines.size()));
            lines.addAll(cf.subList(0, n));
            Collections.shuffle(lines, new Random(seed + 29));
            Files.createDirectories(outFile.getParent());
            AtomicFiles.writeString(outFile, String.join("\n", lines) + "\n");
            return outFile;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> nonBlank(List<String> lines) {
        return lines.stream().filter(l -> !l.isBlank()).toList();
    }
}
