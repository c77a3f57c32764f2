package cpi.world;

import com.fasterxml.jackson.databind.node.ObjectNode;
import cpi.util.Json;

/**
 * A pretraining-format probe: a statement-form prompt (no template) and the next word the model
 * should produce. kind is "closed_book" (memorised fact, no context) or "copy" (the object is stated
 * earlier in the prompt about a subject without a fixed fact).
 */
public record ProbeItem(String id, String kind, String prompt, String answer) {
    public static final String CLOSED_BOOK = "closed_book";
    public static final String COPY = "copy";

    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("id", id);
        o.put("kind", kind);
        o.put("prompt", prompt);
        o.put("answer", answer);
        return o;
    }
}
