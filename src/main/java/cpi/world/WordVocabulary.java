package cpi.world;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import cpi.util.Json;
import java.util.List;

/**
 * A Hugging Face word-level tokenizer.json for the world's vocabulary: WordLevel model, Whitespace
 * pre-tokenizer (words and punctuation runs; newlines are separators, not tokens), no normalizer.
 * Written here rather than by a tokenizer class so `cpi world generate` has no model dependency.
 */
public final class WordVocabulary {
    public static final String PAD = "<pad>";
    public static final String BOS = "<bos>";
    public static final String UNK = "<unk>";
    public static final List<String> SPECIALS = List.of(PAD, BOS, UNK);

    private WordVocabulary() {}

    public static ObjectNode tokenizerJson(List<String> vocabulary) {
        ObjectNode root = Json.object();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (String s : SPECIALS) {
            ObjectNode t = added.addObject();
            t.put("id", vocabulary.indexOf(s));
            t.put("content", s);
            t.put("single_word", false);
            t.put("lstrip", false);
            t.put("rstrip", false);
            t.put("normalized", false);
            t.put("special", true);
        }
        root.putNull("normalizer");
        root.putObject("pre_tokenizer").put("type", "Whitespace");
        root.putNull("post_processor");
        root.putNull("decoder");
        ObjectNode model = root.putObject("model");
        model.put("type", "WordLevel");
        ObjectNode vocab = model.putObject("vocab");
        for (int i = 0; i < vocabulary.size(); i++) {
            vocab.put(vocabulary.get(i), i);
        }
        model.put("unk_token", UNK);
        return root;
    }

    public static ObjectNode tokenizerConfigJson() {
        ObjectNode c = Json.object();
        c.put("tokenizer_class", "PreTrainedTokenizerFast");
        c.put("bos_token", BOS);
        c.put("pad_token", PAD);
        c.put("unk_token", UNK);
        c.put("model_max_length", 128);
        return c;
    }
}
