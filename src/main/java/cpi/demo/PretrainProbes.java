package cpi.demo;

import cpi.model.GenerationOptions;
import cpi.model.LocalTextModel;
import cpi.model.Tokenizer;
import cpi.model.Transformer;
import cpi.util.Json;
import cpi.world.ProbeItem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What pretraining taught, in the pretraining (statement) form: closed-book accuracy on every known fact
 * and in-context copy accuracy on subjects without a fixed fact (greedy next word = the answer).
 */
public final class PretrainProbes {
    public record Scores(double closedBook, double copy) {}

    private PretrainProbes() {}

    public static Scores measure(Transformer t, Tokenizer tok, Path probesFile) {
        List<String> kinds = new ArrayList<>();
        List<String> prompts = new ArrayList<>();
        List<String> answers = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(probesFile)) {
                if (line.isBlank()) {
                    continue;
                }
                var n = Json.MAPPER.readTree(line);
                kinds.add(n.get("kind").asText());
                prompts.add(n.get("prompt").asText());
                answers.add(n.get("answer").asText());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        LocalTextModel m = new LocalTextModel(t, tok, "pretraining");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i += 128) {
            out.addAll(m.generate(prompts.subList(i, Math.min(prompts.size(), i + 128)),
                    GenerationOptions.greedy(1, List.of())));
        }
        int cb = 0, cbOk = 0, cp = 0, cpOk = 0;
        for (int i = 0; i < prompts.size(); i++) {
            boolean ok = out.get(i).trim().equals(answers.get(i));
            if (kinds.get(i).equals(ProbeItem.CLOSED_BOOK)) {
                cb++;
                cbOk += ok ? 1 : 0;
            } else {
                cp++;
                cpOk += ok ? 1 : 0;
            }
        }
        return new Scores(cb == 0 ? Double.NaN : (double) cbOk / cb, cp == 0 ? Double.NaN : (double) cpOk / cp);
    }
}
