package cpi.eval;

import cpi.model.Tokenizer;
import cpi.util.Json;
import cpi.util.UserError;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The prompt templates (src/main/resources/cpi/eval/templates.json) by name. "NAME+adhere" adds the
 * context-adhering instruction. "tokenizer" is the model tokenizer's own chat template; see
 * {@link #resolve(String, Tokenizer)}.
 */
public final class Templates {
    public static final String TOKENIZER = "tokenizer";
    public static final String ADHERE_SUFFIX = "+adhere";
    private static final String RESOURCE = "/cpi/eval/templates.json";
    private static volatile Map<String, TextTemplate> templates;
    private static volatile String contextInstruction;

    private Templates() {}

    /** Built-in names plus "tokenizer". */
    public static List<String> names() {
        List<String> out = new ArrayList<>(all().keySet());
        out.add(TOKENIZER);
        return out;
    }

    /** A built-in template by name (optionally with "+adhere"); "tokenizer" needs {@link #resolve}. */
    public static PromptTemplate get(String name) {
        return resolve(name, null);
    }

    /** The paper's context-adhering instruction ("Answer the question based on the input context only."). */
    public static String contextInstruction() {
        all();
        return contextInstruction;
    }

    /** Like {@link #get} but "tokenizer" renders the given tokenizer's chat template. */
    public static PromptTemplate resolve(String name, Tokenizer tokenizerOrNull) {
        if (name == null || name.isBlank()) {
            throw new UserError("no template given (known: " + String.join(", ", names()) + ")");
        }
        boolean adhere = name.endsWith(ADHERE_SUFFIX);
        String base = adhere ? name.substring(0, name.length() - ADHERE_SUFFIX.length()) : name;
        TextTemplate t;
        if (base.equals(TOKENIZER)) {
            if (tokenizerOrNull == null) {
                throw new UserError("template 'tokenizer' needs a local model with a tokenizer (use --model, or "
                        + "pick one of: " + String.join(", ", all().keySet()) + ")");
            }
            t = ChatTemplates.fromJinja(tokenizerOrNull.chatTemplate().orElseThrow(() -> new UserError(
                    "the model's tokenizer has no chat template (tokenizer_config.json chat_template); use "
                            + "--template " + String.join("|", all().keySet()))));
        } else {
            t = all().get(base);
            if (t == null) {
                throw new UserError("unknown template '" + name + "' (known: " + String.join(", ", names())
                        + "; add " + ADHERE_SUFFIX + " for the context-adhering instruction)");
            }
        }
        return adhere ? t.withContextInstruction(contextInstruction()) : t;
    }

    private static Map<String, TextTemplate> all() {
        Map<String, TextTemplate> m = templates;
        if (m == null) {
            m = read();
            templates = m;
        }
        return m;
    }

    private static Map<String, TextTemplate> read() {
        JsonNode root;
        try (InputStream in = Templates.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            root = Json.MAPPER.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        contextInstruction = root.get("context_instruction").asText();
        Map<String, TextTemplate> out = new LinkedHashMap<>();
        for (JsonNode t : root.get("templates")) {
            List<String> stop = new ArrayList<>();
            t.path("stop").forEach(s -> stop.add(s.asText()));
            String name = t.get("name").asText();
            out.put(name, new TextTemplate(name, t.get("prompt").asText(), t.get("prompt_no_input").asText(),
                    t.get("target").asText(), stop, null));
        }
        return out;
    }
}
