package cpi.train;

import cpi.eval.PromptTemplate;
import cpi.model.Tokenizer;
import java.util.Arrays;
import java.util.List;

/**
 * Turns an {@link IftExample} into a {@link TokenExample}: [bos] prompt target [eos], the loss mask on
 * the target (and eos) only. The target is tokenized in context (as it follows the prompt), the way
 * evaluation scores continuations; when the joint tokenization does not start with the prompt's own
 * tokens the two parts are tokenized separately and concatenated. Too long sequences lose prompt tokens
 * from the left (the instruction end and the response survive), then response tokens from the right.
 */
public final class SftEncoder {
    private final Tokenizer tokenizer;
    private final PromptTemplate template;
    private final int maxLength;
    private final boolean appendEos;

    public SftEncoder(Tokenizer tokenizer, PromptTemplate template, int maxLength, boolean appendEos) {
        if (maxLength < 2) {
            throw new IllegalArgumentException("maxLength must be at least 2");
        }
        this.tokenizer = tokenizer;
        this.template = template;
        this.maxLength = maxLength;
        this.appendEos = appendEos;
    }

    public TokenExample encode(IftExample ex) {
        String prompt = template.prompt(ex.instruction(), ex.input());
        String target = template.target(ex.output());
        int[] p = tokenizer.encode(prompt);
        int[] full = tokenizer.encode(prompt + target);
        int[] t;
        if (full.length >= p.length && Arrays.equals(p, 0, p.length, full, 0, p.length)) {
            t = Arrays.copyOfRange(full, p.length, full.length);
        } else {
            t = tokenizer.encode(target);
        }
        int bos = tokenizer.bosId().isPresent() ? 1 : 0;
        int eos = appendEos && tokenizer.eosId().isPresent() ? 1 : 0;
        int total = bos + p.length + t.length + eos;
        int dropPrompt = 0;
        int dropTarget = 0;
        if (total > maxLength) {
            // Keep at least one prompt token so the first response token has something to be predicted from.
            int keepPrompt = Math.max(1, Math.min(p.length, maxLength - bos - t.length - eos));
            dropPrompt = p.length - keepPrompt;
            total -= dropPrompt;
            if (total > maxLength) {
                dropTarget = total - maxLength;
                total = maxLength;
            }
        }
        int[] ids = new int[total];
        boolean[] mask = new boolean[total];
        int k = 0;
        if (bos == 1) {
            ids[k++] = tokenizer.bosId().getAsInt();
        }
        for (int i = dropPrompt; i < p.length; i++) {
            ids[k++] = p[i];
        }
        int keepTarget = t.length + eos - dropTarget;
        for (int i = 0; i < keepTarget; i++) {
            ids[k] = i < t.length ? t[i] : tokenizer.eosId().getAsInt();
            mask[k++] = true;
        }
        return new TokenExample(ids, mask);
    }

    /**
     * Encodes all examples, in order, dropping those without any response token (empty output). With a
     * thread-safe tokenizer the examples are encoded on all cores (the demo's 20,000 took 1.7 s on one).
     */
    public List<TokenExample> encodeAll(List<IftExample> examples) {
        var stream = tokenizer.threadSafe() ? examples.parallelStream() : examples.stream();
        return stream.map(this::encode).filter(te -> te.lossTokens() > 0).toList();
    }
}
