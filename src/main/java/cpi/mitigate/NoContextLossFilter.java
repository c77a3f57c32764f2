package cpi.mitigate;

import cpi.train.IftExample;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import cpi.eval.PromptTemplate;
import cpi.model.LocalTextModel;
import cpi.model.TextModel;
import cpi.util.Hashing;
import cpi.util.Json;
import cpi.util.Progress;
import cpi.util.UserError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * Context-critical filtering (paper §4.4). An example whose response the base model already predicts
 * well WITHOUT its context teaches the model that the context is optional; those are the examples that
 * drive the late drop in context reliance. This scores every example's target loss with the context
 * (input) removed — mean negative log-likelihood per target token of {@code template.target(output)}
 * after {@code template.prompt(instruction, null)} — and drops the lowest {@code dropFraction}.
 *
 * <p>With {@link ScoreField#CLOSED_BOOK_PROMPT} the example's {@code closed_book_prompt} (a statement
 * form such as "The capital of France is") is the prompt instead; examples without one fall back to the
 * instruction-only prompt and are counted in {@link #fallbacks()}.
 *
 * <p>Scores are cached in {@code cacheDir} under a key made of the model fingerprint and the exact
 * prompts and targets scored (so the data's content, not its file name), so a re-run is instant.
 */
public final class NoContextLossFilter implements ExampleSelector {
    /** Bump when the score's definition changes, so old cached scores are not reused. */
    static final String SCORE_VERSION = "nocontext-v2";

    public enum ScoreField { NO_INPUT, CLOSED_BOOK_PROMPT }

    /**
     * @param dropFraction  fraction of examples dropped (lowest scores), in [0, 1)
     * @param field         which prompt stands for "without context"
     * @param batchSize     examples per logLikelihood call
     * @param template      prompt format (null: the plain "Q: …\nA:" format); only its no-input form is used
     * @param cacheDir      where scores are cached (null: no cache)
     * @param tokenCounter  target → token count for the per-token mean of a TextModel that only gives sums
     *                      (null: words and punctuation); an in-process LocalTextModel's own target tokens
     *                      are always used instead
     */
    public record Options(double dropFraction, ScoreField field, int batchSize, PromptTemplate template,
                          Path cacheDir, ToIntFunction<String> tokenCounter) {
        public Options {
            if (!(dropFraction >= 0 && dropFraction < 1)) {
                throw new UserError("--drop-fraction must be in [0, 1), got " + dropFraction);
            }
            if (batchSize < 1) {
                throw new UserError("--batch-size must be at least 1, got " + batchSize);
            }
            field = field == null ? ScoreField.NO_INPUT : field;
            template = template == null ? PlainTemplate.INSTANCE : template;
        }

        public static Options defaults(double dropFraction) {
            return new Options(dropFraction, ScoreField.NO_INPUT, 16, null, null, null);
        }

        public Options withCache(Path dir) {
            return new Options(dropFraction, field, batchSize, template, dir, tokenCounter);
        }

        public Options withDropFraction(double f) {
            return new Options(f, field, batchSize, template, cacheDir, tokenCounter);
        }

        public Options withField(ScoreField f) {
            return new Options(dropFraction, f, batchSize, template, cacheDir, tokenCounter);
        }

        public Options withTokenCounter(ToIntFunction<String> c) {
            return new Options(dropFraction, field, batchSize, template, cacheDir, c);
        }

        public Options withBatchSize(int b) {
            return new Options(dropFraction, field, b, template, cacheDir, tokenCounter);
        }
    }

    private final TextModel model;
    private final Options options;
    private int fallbacks;
    private boolean cacheHit;

    public NoContextLossFilter(TextModel model, Options options) {
        this.model = model;
        this.options = options;
    }

    /** The prompt that stands for "without context": never contains the example's input. */
    public String prompt(IftExample e) {
        if (options.field() == ScoreField.CLOSED_BOOK_PROMPT && e.closedBookPrompt() != null
                && !e.closedBookPrompt().isBlank()) {
            return e.closedBookPrompt();
        }
        return options.template().prompt(e.instruction(), null);
    }

    public String target(IftExample e) {
        return options.template().target(e.output());
    }

    /** Examples scored with the instruction-only prompt although closed_book_prompt was asked for. */
    public int fallbacks() {
        return fallbacks;
    }

    /** Whether the last {@link #score} call was answered from the cache. */
    public boolean cacheHit() {
        return cacheHit;
    }

    /** Mean NLL per target token without context, one per example in order (higher = more context-critical). */
    public double[] score(List<IftExample> examples) {
        List<String> prompts = new ArrayList<>(examples.size());
        List<String> targets = new ArrayList<>(examples.size());
        fallbacks = 0;
        for (IftExample e : examples) {
            prompts.add(prompt(e));
            targets.add(target(e));
            if (options.field() == ScoreField.CLOSED_BOOK_PROMPT
                    && (e.closedBookPrompt() == null || e.closedBookPrompt().isBlank())) {
                fallbacks++;
            }
        }
        Path cacheFile = cacheFile(prompts, targets);
        double[] cached = readCache(cacheFile, examples.size());
        cacheHit = cached != null;
        if (cached != null) {
            return cached;
        }
        double[] scores = new double[examples.size()];
        try (Progress p = Progress.start("no-context loss", examples.size())) {
            for (int from = 0; from < examples.size(); from += options.batchSize()) {
                int to = Math.min(examples.size(), from + options.batchSize());
                if (model instanceof LocalTextModel local) {
                    // In process: the exact in-context target tokens, so the mean is per real token. A response
                    // longer than the model's context is scored on its beginning (never by cutting the prompt).
                    List<String> fitted = new ArrayList<>(to - from);
                    for (int i = from; i < to; i++) {
                        fitted.add(fitToContext(local, prompts.get(i), targets.get(i)));
                    }
                    double[][] lp = local.tokenLogProbs(prompts.subList(from, to), fitted).logProbs();
                    for (int i = from; i < to; i++) {
                        double sum = 0;
                        for (double x : lp[i - from]) {
                            sum += x;
                        }
                        scores[i] = lp[i - from].length == 0 ? Double.NaN : -sum / lp[i - from].length;
                    }
                } else {
                    double[] ll = model.logLikelihood(prompts.subList(from, to), targets.subList(from, to));
                    for (int i = from; i < to; i++) {
                        scores[i] = -ll[i - from] / Math.max(1, tokens(targets.get(i)));
                    }
                }
                p.stepBy(to - from);
            }
        }
        writeCache(cacheFile, scores);
        return scores;
    }

    /** The longest prefix of {@code target} that fits after {@code prompt} in the model's context. */
    static String fitToContext(LocalTextModel local, String prompt, String target) {
        int max = local.transformer().config().maxPositions();
        int[][] split = local.splitInContextIds(prompt, target);
        if (split[0].length + split[1].length <= max) {
            return target;
        }
        int lo = 0;
        int hi = target.length();
        while (lo < hi) { // largest prefix length that fits
            int mid = (lo + hi + 1) >>> 1;
            int[][] s = local.splitInContextIds(prompt, target.substring(0, mid));
            if (s[0].length + s[1].length <= max) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return target.substring(0, Math.max(lo, Math.min(1, target.length())));
    }

    private int tokens(String target) {
        return options.tokenCounter() != null ? options.tokenCounter().applyAsInt(target) : wordTokens(target);
    }

    /** Words and punctuation marks: a tokenizer-free stand-in for the token count. */
    static int wordTokens(String text) {
        int n = 0;
        var m = java.util.regex.Pattern.compile("[\\p{L}\\p{N}]+|[^\\s\\p{L}\\p{N}]").matcher(text);
        while (m.find()) {
            n++;
        }
        return n;
    }

    /**
     * The share of scores strictly below maxLoss: the drop fraction that removes every example whose
     * answer the model already predicts without the context at that confidence (ln 2 = probability 1/2).
     * Capped just under 1 because a filter must keep something.
     */
    public static double shareBelow(double[] scores, double maxLoss) {
        if (scores.length == 0) {
            return 0;
        }
        long below = java.util.Arrays.stream(scores).filter(x -> x < maxLoss).count();
        return Math.min(below, scores.length - 1) / (double) scores.length;
    }

    /** floor(n × fraction), guarded against 0.29 × 100 = 28.999…: the exact share asked for, never more. */
    public static int dropCount(int n, double fraction) {
        return (int) Math.floor(n * fraction + 1e-9);
    }

    @Override
    public FilterResult select(List<IftExample> examples) {
        return select(examples, score(examples));
    }

    /** Drops the lowest-scoring {@code dropFraction} given precomputed scores (ties: earlier example dropped first). */
    public FilterResult select(List<IftExample> examples, double[] scores) {
        return selectLowest(examples, scores, options.dropFraction(), "no-context-loss");
    }

    static FilterResult selectLowest(List<IftExample> examples, double[] scores, double fraction, String name) {
        int n = examples.size();
        int k = dropCount(n, fraction);
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        // NaN (unscorable) sorts last: never dropped for being "easy".
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> Double.isNaN(scores[i])
                ? Double.POSITIVE_INFINITY : scores[i]).thenComparingInt(i -> i));
        boolean[] drop = new boolean[n];
        for (int j = 0; j < k; j++) {
            drop[order[j]] = true;
        }
        List<IftExample> kept = new ArrayList<>();
        List<IftExample> dropped = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            (drop[i] ? dropped : kept).add(examples.get(i));
        }
        double threshold = Double.NaN;
        if (k > 0 && k < n) {
            threshold = (scores[order[k - 1]] + scores[order[k]]) / 2;
        } else if (k > 0) {
            threshold = scores[order[k - 1]];
        }
        return new FilterResult(name, kept, dropped, scores.clone(), threshold);
    }

    private Path cacheFile(List<String> prompts, List<String> targets) {
        if (options.cacheDir() == null) {
            return null;
        }
        var md = Hashing.sha256();
        String counter = model instanceof LocalTextModel ? "in-context-tokens"
                : options.tokenCounter() == null ? "words" : "tokens";
        md.update((SCORE_VERSION + "\n" + model.fingerprint() + "\n" + counter + "\n")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        for (int i = 0; i < prompts.size(); i++) {
            md.update((prompts.get(i) + "\u0000" + targets.get(i) + "\u0001").getBytes(
                    java.nio.charset.StandardCharsets.UTF_8));
        }
        return options.cacheDir().resolve("nocontext-" + Hashing.hex(md.digest()).substring(0, 32) + ".json");
    }

    private double[] readCache(Path file, int n) {
        if (file == null || !Files.isRegularFile(file)) {
            return null;
        }
        try {
            JsonNode o = Json.read(file);
            JsonNode s = o.get("scores");
            if (s == null || !s.isArray() || s.size() != n || !model.fingerprint().equals(o.path("model").asText())) {
                return null;
            }
            double[] out = new double[n];
            for (int i = 0; i < n; i++) {
                out[i] = s.get(i).isNumber() ? s.get(i).asDouble() : Double.NaN;
            }
            return out;
        } catch (UserError e) {
            return null; // a damaged cache file is just recomputed
        }
    }

    private void writeCache(Path file, double[] scores) {
        if (file == null) {
            return;
        }
        ObjectNode o = Json.object();
        o.put("model", model.fingerprint());
        o.put("score", SCORE_VERSION);
        ArrayNode a = o.putArray("scores");
        for (double s : scores) {
            if (Double.isFinite(s)) {
                a.add(s);
            } else {
                a.addNull();
            }
        }
        Json.writeFile(file, o);
    }
}
