package cpi.model;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;
import com.fasterxml.jackson.databind.JsonNode;
import cpi.util.AtomicFiles;
import cpi.util.Json;
import cpi.util.UserError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A Hugging Face tokenizer.json run by DJL's Rust tokenizers binding. encode() adds no special tokens;
 * bos is reported only when the tokenizer itself would add it (its post-processor or
 * tokenizer_config.json add_bos_token), so callers frame text the way the model was trained.
 */
public final class HfTokenizer implements Tokenizer {
    private static final String[] EOS_GUESSES = {"<|endoftext|>", "</s>", "<eos>", "<|end_of_text|>"};

    private final Path tokenizerJson;
    private final Path tokenizerConfig;
    private final HuggingFaceTokenizer tok;
    private final int vocabSize;
    private final OptionalInt bos;
    private final OptionalInt eos;
    private final int pad;
    private final String chatTemplate;

    private HfTokenizer(Path tokenizerJson, Path tokenizerConfig) {
        this.tokenizerJson = tokenizerJson;
        this.tokenizerConfig = tokenizerConfig;
        JsonNode tj = Json.read(tokenizerJson);
        JsonNode cfg = tokenizerConfig != null ? Json.read(tokenizerConfig) : Json.object();
        Map<String, Integer> tokenIds = new HashMap<>();
        int maxId = -1;
        JsonNode vocab = tj.path("model").path("vocab");
        if (vocab.isObject()) {
            var it = vocab.fields();
            while (it.hasNext()) {
                var e = it.next();
                tokenIds.put(e.getKey(), e.getValue().asInt());
                maxId = Math.max(maxId, e.getValue().asInt());
            }
        } else if (vocab.isArray()) { // Unigram: [[piece, score], ...]
            for (int i = 0; i < vocab.size(); i++) {
                tokenIds.put(vocab.get(i).path(0).asText(), i);
            }
            maxId = vocab.size() - 1;
        }
        for (JsonNode a : tj.path("added_tokens")) {
            tokenIds.put(a.path("content").asText(), a.path("id").asInt());
            maxId = Math.max(maxId, a.path("id").asInt());
        }
        this.vocabSize = maxId + 1;
        Map<String, String> options = new HashMap<>();
        options.put("addSpecialTokens", "false");
        options.put("truncation", "false");
        options.put("padding", "false");
        try {
            this.tok = HuggingFaceTokenizer.newInstance(tokenizerJson, options);
        } catch (IOException | RuntimeException e) {
            throw new UserError(tokenizerJson + ": could not load the tokenizer (" + e.getMessage()
                    + "); use a tokenizer.json saved by HF tokenizers");
        }
        Integer bosId = specialId(cfg.get("bos_token"), tokenIds);
        Integer eosId = specialId(cfg.get("eos_token"), tokenIds);
        Integer padId = specialId(cfg.get("pad_token"), tokenIds);
        if (eosId == null && !cfg.has("eos_token")) {
            for (String guess : EOS_GUESSES) {
                if (tokenIds.containsKey(guess)) {
                    eosId = tokenIds.get(guess);
                    break;
                }
            }
        }
        // bos counts only if the tokenizer would add it itself.
        Integer added = addedPrefix();
        boolean addBos = cfg.path("add_bos_token").asBoolean(false);
        if (added != null) {
            bosId = added;
        } else if (!addBos) {
            bosId = null;
        }
        this.bos = bosId == null ? OptionalInt.empty() : OptionalInt.of(bosId);
        this.eos = eosId == null ? OptionalInt.empty() : OptionalInt.of(eosId);
        this.pad = padId != null ? padId : eosId != null ? eosId : 0;
        this.chatTemplate = readChatTemplate(cfg.get("chat_template"));
    }

    /** Loads dir/tokenizer.json (+ tokenizer_config.json when present), or a tokenizer.json file. */
    public static HfTokenizer load(Path dirOrTokenizerJson) {
        Path json = Files.isDirectory(dirOrTokenizerJson) ? dirOrTokenizerJson.resolve("tokenizer.json")
                : dirOrTokenizerJson;
        if (!Files.isRegularFile(json)) {
            throw new UserError(json + ": no tokenizer.json (copy the model's tokenizer.json into the directory)");
        }
        Path cfg = json.toAbsolutePath().getParent().resolve("tokenizer_config.json");
        return new HfTokenizer(json, Files.isRegularFile(cfg) ? cfg : null);
    }

    private Integer addedPrefix() {
        String probe = "a";
        long[] plain = tok.encode(probe, false, false).getIds();
        long[] withSpecial = tok.encode(probe, true, false).getIds();
        if (withSpecial.length > plain.length && withSpecial.length > 0
                && (plain.length == 0 || withSpecial[0] != plain[0])) {
            return (int) withSpecial[0];
        }
        return null;
    }

    private static Integer specialId(JsonNode node, Map<String, Integer> ids) {
        if (node == null || node.isNull()) {
            return null;
        }
        String content = node.isTextual() ? node.asText() : node.path("content").asText(null);
        return content == null ? null : ids.get(content);
    }

    private static String readChatTemplate(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return node.asText();
        }
        if (node.isArray()) {
            for (JsonNode t : node) {
                if ("default".equals(t.path("name").asText())) {
                    return t.path("template").asText();
                }
            }
            return node.size() > 0 ? node.get(0).path("template").asText(null) : null;
        }
        return null;
    }

    /** Yes: HF tokenizers are Sync in Rust. */
    @Override
    public boolean threadSafe() {
        return true;
    }

    @Override
    public int[] encode(String text) {
        // Ids only: DJL's encode() builds a full Encoding (token strings, offsets, masks: five more native
        // reads), which doubled the cost of encoding an IFT set. Same native encode, same ids.
        long handle = TokenizersLibrary.LIB.encode(tok.getHandle(), text, false);
        long[] ids;
        try {
            ids = TokenizersLibrary.LIB.getTokenIds(handle);
        } finally {
            TokenizersLibrary.LIB.deleteEncoding(handle);
        }
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = (int) ids[i];
        }
        return out;
    }

    @Override
    public String decode(int[] ids) {
        long[] l = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            l[i] = ids[i];
        }
        return tok.decode(l, false);
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public OptionalInt bosId() {
        return bos;
    }

    @Override
    public OptionalInt eosId() {
        return eos;
    }

    @Override
    public int padId() {
        return pad;
    }

    @Override
    public Optional<String> chatTemplate() {
        return Optional.ofNullable(chatTemplate);
    }

    public Path tokenizerJson() {
        return tokenizerJson;
    }

    @Override
    public void saveTo(Path directory) {
        copy(tokenizerJson, directory.resolve("tokenizer.json"));
        if (tokenizerConfig != null) {
            copy(tokenizerConfig, directory.resolve("tokenizer_config.json"));
        }
        Path specials = tokenizerJson.toAbsolutePath().getParent().resolve("special_tokens_map.json");
        if (Files.isRegularFile(specials)) {
            copy(specials, directory.resolve("special_tokens_map.json"));
        }
    }

    private static void copy(Path from, Path to) {
        try {
            if (Files.exists(to) && Files.isSameFile(from, to)) {
                return;
            }
        } catch (IOException e) {
            // fall through and copy
        }
        AtomicFiles.write(to, tmp -> Files.copy(from, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING));
    }

    @Override
    public void close() {
        tok.close();
    }
}
