package cpi.model;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import cpi.util.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Builds a word-level HF tokenizer.json for synthetic vocabularies. Ids: 0 {@code <pad>}, 1 {@code <bos>},
 * 2 {@code <eos>}, 3 {@code <unk>}, 4 newline ("\n"), then the given words in order (duplicates dropped).
 * Text is split into runs of word characters, runs of punctuation, and newlines (regex
 * {@code \w+|[^\w\s]+|\n}); other whitespace only separates. Unknown pieces become {@code <unk>}. Decoding
 * joins tokens with single spaces, so "Q: x\nA:" decodes to "Q : x \n A :". The tokenizer adds
 * {@code <bos>} when asked for special tokens, so {@link HfTokenizer#bosId()} is 1.
 */
public final class WordTokenizer {
    public static final List<String> SPECIALS = List.of("<pad>", "<bos>", "<eos>", "<unk>");
    public static final String NEWLINE = "\n";
    static final String PATTERN = "\\w+|[^\\w\\s]+|\\n";

    private WordTokenizer() {}

    /** Writes dir/tokenizer.json and dir/tokenizer_config.json and loads them. */
    public static HfTokenizer build(List<String> vocab, Path dir) {
        LinkedHashSet<String> tokens = new LinkedHashSet<>(SPECIALS);
        tokens.add(NEWLINE);
        for (String w : vocab) {
            if (w == null || w.isEmpty()) {
                throw new IllegalArgumentException("empty word in vocabulary");
            }
            tokens.add(w);
        }
        List<String> ordered = new ArrayList<>(tokens);
        ObjectNode root = Json.object();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (int i = 0; i < SPECIALS.size(); i++) {
            ObjectNode a = added.addObject();
            a.put("id", i);
            a.put("content", SPECIALS.get(i));
            a.put("single_word", false);
            a.put("lstrip", false);
            a.put("rstrip", false);
            a.put("normalized", false);
            a.put("special", true);
        }
        root.putNull("normalizer");
        ObjectNode pre = root.putObject("pre_tokenizer");
        pre.put("type", "Split");
        pre.putObject("pattern").put("Regex", PATTERN);
        pre.put("behavior", "Removed");
        pre.put("invert", true);
        ObjectNode post = root.putObject("post_processor");
        post.put("type", "TemplateProcessing");
        ArrayNode single = post.putArray("single");
        single.addObject().putObject("SpecialToken").put("id", "<bos>").put("type_id", 0);
        single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        ArrayNode pair = post.putArray("pair");
        pair.addObject().putObject("SpecialToken").put("id", "<bos>").put("type_id", 0);
        pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
        ObjectNode st = post.putObject("special_tokens").putObject("<bos>");
        st.put("id", "<bos>");
        st.putArray("ids").add(1);
        st.putArray("tokens").add("<bos>");
        root.putNull("decoder");
        ObjectNode model = root.putObject("model");
        model.put("type", "WordLevel");
        ObjectNode v = model.putObject("vocab");
        for (int i = 0; i < ordered.size(); i++) {
            v.put(ordered.get(i), i);
        }
        model.put("unk_token", "<unk>");
        Json.writeFile(dir.resolve("tokenizer.json"), root);

        ObjectNode cfg = Json.object();
        cfg.put("tokenizer_class", "PreTrainedTokenizerFast");
        cfg.put("bos_token", "<bos>");
        cfg.put("eos_token", "<eos>");
        cfg.put("pad_token", "<pad>");
        cfg.put("unk_token", "<unk>");
        cfg.put("add_bos_token", true);
        Json.writeFile(dir.resolve("tokenizer_config.json"), cfg);
        return HfTokenizer.load(dir);
    }
}
