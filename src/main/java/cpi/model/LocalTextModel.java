package cpi.model;

import cpi.util.UserError;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;

/**
 * An in-process transformer as a {@link TextModel}: text in, text or log-likelihoods out. Prompts get
 * the tokenizer's bos token in front when it has one (as in training). A continuation is tokenized
 * in context — the ids of prompt+continuation after the ids they share with the prompt alone — so
 * " Paris" after "A:" scores the tokens the model would actually produce.
 */
public final class LocalTextModel implements TextModel {
    private final Transformer model;
    private final Tokenizer tokenizer;
    private final String fingerprint;
    private int maxBatchTokens = Scoring.DEFAULT_BATCH_TOKENS;
    private ContextPolicy overflow = ContextPolicy.TRUNCATE_LEFT;
    private final AutoCloseable owned;

    public LocalTextModel(LoadedModel loaded) {
        this(loaded.transformer(), loaded.tokenizer(), loaded.fingerprint());
    }

    public LocalTextModel(Transformer model, Tokenizer tokenizer, String fingerprint) {
        this(model, tokenizer, fingerprint, null);
    }

    private LocalTextModel(Transformer model, Tokenizer tokenizer, String fingerprint, AutoCloseable owned) {
        if (tokenizer == null) {
            throw new UserError("this model has no tokenizer (llama2.c .bin files ship without one): "
                    + "use token ids (--prompt-ids) or a model directory with tokenizer.json");
        }
        this.model = model;
        this.tokenizer = tokenizer;
        this.fingerprint = fingerprint;
        this.owned = owned;
    }

    /** A TextModel that also closes the transformer when it is closed. */
    public static LocalTextModel owning(LoadedModel loaded) {
        return new LocalTextModel(loaded.transformer(), loaded.tokenizer(), loaded.fingerprint(), loaded.transformer());
    }

    public LocalTextModel withMaxBatchTokens(int tokens) {
        this.maxBatchTokens = Math.max(1, tokens);
        return this;
    }

    public LocalTextModel withContextPolicy(ContextPolicy policy) {
        this.overflow = policy;
        return this;
    }

    public Transformer transformer() {
        return model;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public String fingerprint() {
        return fingerprint;
    }

    /**
     * Prompt ids as the model sees them: bos (if the tokenizer adds one) then the encoded text. An
     * empty prompt without bos becomes the eos token (as lm-evaluation-harness does), so the first
     * continuation token still has a context.
     */
    public int[] promptIds(String prompt) {
        int[] ids = tokenizer.encode(prompt);
        OptionalInt bos = tokenizer.bosId();
        if (bos.isEmpty()) {
            if (ids.length == 0 && tokenizer.eosId().isPresent()) {
                return new int[] {tokenizer.eosId().getAsInt()};
            }
            return ids;
        }
        int[] withBos = new int[ids.length + 1];
        withBos[0] = bos.getAsInt();
        System.arraycopy(ids, 0, withBos, 1, ids.length);
        return withBos;
    }

    @Override
    public List<String> generate(List<String> prompts, GenerationOptions options) {
        List<int[]> ids = new ArrayList<>(prompts.size());
        for (String p : prompts) {
            int[] pi = promptIds(p);
            if (pi.length == 0) {
                throw new UserError("empty prompt and the tokenizer has no bos token: give the model some text");
            }
            ids.add(pi);
        }
        List<String> stops = options.stop();
        Generator.StopCheck check = stops.isEmpty() ? null
                : (row, gen) -> firstStop(tokenizer.decode(gen), stops) >= 0;
        List<int[]> out = Generator.generate(model, ids, options, tokenizer.padId(), tokenizer.eosId(), check, overflow);
        List<String> texts = new ArrayList<>(out.size());
        for (int[] g : out) {
            String text = tokenizer.decode(g);
            int cut = firstStop(text, stops);
            texts.add(cut >= 0 ? text.substring(0, cut) : text);
        }
        return texts;
    }

    /** Index where the earliest stop string starts in text, or -1. */
    static int firstStop(String text, List<String> stops) {
        int best = -1;
        for (String s : stops) {
            if (s.isEmpty()) {
                continue;
            }
            int i = text.indexOf(s);
            if (i >= 0 && (best < 0 || i < best)) {
                best = i;
            }
        }
        return best;
    }

    @Override
    public double[] logLikelihood(List<String> prompts, List<String> continuations) {
        return Scoring.sums(tokenLogProbs(prompts, continuations).logProbs());
    }

    /** Per-token scores with the continuation ids they belong to. */
    public record TokenScores(List<int[]> continuationIds, double[][] logProbs) {}

    public TokenScores tokenLogProbs(List<String> prompts, List<String> continuations) {
        if (prompts.size() != continuations.size()) {
            throw new IllegalArgumentException(prompts.size() + " prompts but " + continuations.size() + " continuations");
        }
        List<int[]> ctx = new ArrayList<>(prompts.size());
        List<int[]> cont = new ArrayList<>(prompts.size());
        for (int i = 0; i < prompts.size(); i++) {
            int[][] split = splitInContextIds(prompts.get(i), continuations.get(i));
            ctx.add(split[0]);
            cont.add(split[1]);
        }
        double[][] lp = Scoring.continuationLogProbs(model, ctx, cont, maxBatchTokens, overflow);
        return new TokenScores(cont, lp);
    }

    /**
     * {prompt ids, continuation ids}: the continuation's ids are those of prompt+continuation past the
     * longest prefix they share with the prompt's own ids (a token that spans the boundary belongs to
     * the continuation). Only when there is no context token at all (no bos, no eos, empty prompt)
     * is the first token left unscored, as context.
     */
    public int[][] splitInContextIds(String prompt, String continuation) {
        int[] p = promptIds(prompt);
        int[] whole = promptIds(prompt + continuation);
        if (prompt.isEmpty() && tokenizer.bosId().isEmpty() && p.length == 1) {
            whole = concat(p, tokenizer.encode(continuation)); // the eos stand-in context
        }
        int common = 0;
        while (common < p.length && common < whole.length && p[common] == whole[common]) {
            common++;
        }
        if (common == 0 && whole.length > 0) {
            common = 1;
        }
        return new int[][] {Arrays.copyOf(whole, common), Arrays.copyOfRange(whole, common, whole.length)};
    }

    private static int[] concat(int[] a, int[] b) {
        int[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    @Override
    public void close() {
        if (owned != null) {
            try {
                owned.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
