package cpi.train;

import cpi.eval.PromptTemplate;
import cpi.model.GenerationOptions;
import cpi.model.TextModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Short-answer capability benchmarks scored by greedy generation: an item is correct when the normalised
 * output contains the normalised gold answer. Files are read by {@link IftData} (SQuAD official or flat
 * records, or {question, answer}); a GSM8k answer ("... #### 42") is scored by its final number.
 */
public final class QaBenchmark {
    private QaBenchmark() {}

    public record Item(String question, String context, String answer) {}

    public static List<Item> read(Path file) {
        List<Item> out = new ArrayList<>();
        for (IftExample e : IftData.read(file)) {
            String gold = e.output();
            int hash = gold.lastIndexOf("####");
            if (hash >= 0) {
                gold = gold.substring(hash + 4).strip().replace(",", "");
            }
            out.add(new Item(e.instruction(), e.input(), gold));
        }
        return out;
    }

    static String normalize(String s) {
        return s.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} ]", " ").replaceAll("\\s+", " ").strip();
    }

    public static McBenchmark.Score score(String name, TextModel model, PromptTemplate template, List<Item> items,
                                          int maxNewTokens) {
        List<String> prompts = new ArrayList<>();
        for (Item it : items) {
            prompts.add(template.prompt(it.question(), it.context()));
        }
        List<String> outs = model.generate(prompts, GenerationOptions.greedy(maxNewTokens, template.stopStrings()));
        int correct = 0;
        for (int i = 0; i < items.size(); i++) {
            String gold = normalize(items.get(i).answer());
            if (!gold.isEmpty() && (" " + normalize(outs.get(i)) + " ").contains(" " + gold + " ")) {
                correct++;
            }
        }
        return new McBenchmark.Score(name, correct / (double) items.size(), items.size());
    }
}
