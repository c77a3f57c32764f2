// Makes the small end-to-end setting of tools/mitigation/run.sh (run with cpi's classpath, see run.sh):
//   OUT/random/        a random tiny llama with a word-level tokenizer over the words of alpaca-5000,
//                      the evaluation set and the augmentation source
//   OUT/facts.json     closed-book IFT examples "What is the capital city of X?" -> the real capital,
//                      for a short "pretraining" that gives the model parametric knowledge to conflict with
//   OUT/capability.json  factual-context questions (the counterfactual capital in each eval context
//                      replaced by the real one): context-QA accuracy = the capability score
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import cpi.mitigate.ContextQaFiles;
import cpi.mitigate.ContextQaItem;
import cpi.mitigate.CounterfactualAugmenter;
import cpi.model.Checkpoints;
import cpi.model.ModelConfig;
import cpi.model.Tokenizer;
import cpi.model.Transformer;
import cpi.model.WordTokenizer;
import cpi.train.IftData;
import cpi.train.IftExample;
import cpi.util.Djl;
import cpi.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class MakeBase {
    static final Pattern WORD = Pattern.compile("\\w+|[^\\w\\s]+");

    public static void main(String[] a) throws Exception {
        Path out = Path.of(a[0]);
        Path alpaca = Path.of(a[1]);
        Path eval = Path.of(a[2]);
        Path augFrom = Path.of(a[3]);
        int vocabMax = Integer.parseInt(a.length > 4 ? a[4] : "6000");
        Files.createDirectories(out);
        Map<String, Integer> freq = new HashMap<>();
        for (IftExample e : IftData.read(alpaca)) {
            count(freq, e.instruction() + " " + (e.input() == null ? "" : e.input()) + " " + e.output(), 1);
        }
        JsonNode ev = Json.read(eval);
        ArrayNode facts = Json.MAPPER.createArrayNode();
        ArrayNode capability = Json.MAPPER.createArrayNode();
        for (JsonNode x : ev) {
            String all = x.path("context").asText() + " " + x.path("question").asText() + " " + x.path("answer").asText()
                    + " " + x.path("memory_answer").asText();
            count(freq, all, 1000); // eval words always in the vocabulary
            facts.addObject().put("instruction", x.path("question").asText()).put("input", "")
                    .put("output", x.path("memory_answer").asText());
            String factual = CounterfactualAugmenter.substitute(x.path("context").asText(), x.path("answer").asText(),
                    x.path("memory_answer").asText());
            capability.addObject().put("question", x.path("question").asText()).put("context", factual)
                    .put("counterfactual_answer", x.path("memory_answer").asText())
                    .put("parametric_answer", x.path("answer").asText());
        }
        for (ContextQaItem e : ContextQaFiles.read(augFrom)) {
            count(freq, e.question() + " " + e.context() + " " + e.answer(), 3);
        }
        List<String> vocab = freq.entrySet().stream().filter(e -> e.getValue() >= 2)
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(vocabMax)
                .map(Map.Entry::getKey).toList();
        Path model = out.resolve("random");
        Files.createDirectories(model);
        Tokenizer tok = WordTokenizer.build(new ArrayList<>(vocab), model);
        Djl.engine();
        try (NDManager m = NDManager.newBaseManager()) {
            ModelConfig cfg = ModelConfig.llama(tok.vocabSize(), 128, 3, 4, 4, 384, 512);
            Transformer t = Transformer.random(cfg, 0, m);
            Checkpoints.save(t, tok, model, DataType.FLOAT32);
            t.close();
        }
        Json.writeFile(out.resolve("facts.json"), facts);
        Json.writeFile(out.resolve("capability.json"), capability);
        System.out.printf("vocab %d, facts %d, capability items %d -> %s%n", tok.vocabSize(), facts.size(),
                capability.size(), out);
    }

    static void count(Map<String, Integer> freq, String text, int w) {
        Matcher m = WORD.matcher(text);
        while (m.find()) {
            freq.merge(m.group(), w, Integer::sum);
        }
    }
}
