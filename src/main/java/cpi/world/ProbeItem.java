package cpi.world;

import com.fasterxml.jackson.databind.node.ObjectNode;
import cpi.util.Json;

/**
 * A pretraining-format probe: a statement-form prompt (no template) and the next word the model
 * should produce. kind is "closed_book" (memorised fact, no context), "copy" (the object is stated
 * earlier in the prompt about a subject without a fixed fact) or "conflict" (a known IFT subject whose
 * context states another object: answer is the context's object, memory the memorised one; null otherwise).
 */
public record ProbeItem(String id, String kind, String prompt, String answer, String memory) {
    public static final String CLOSED_BOOK = "closed_book";
    public static final String COPY = "copy";
    public static final String CONFLICT = "conflict";

    public ProbeItem(String id, String kind, String prompt, String answer) {
        this(id, kind, prompt, answer, null);
    }

    /** A line of pretrain_probes.jsonl, as {@link #toJson} writes it. */
    public static ProbeItem fromJson(com.fasterxml.jackson.databind.JsonNode n) {
        return new ProbeItem(n.path("id").asText(), n.get("kind").asText(), n.get("prompt").asText(),
                n.get("answer").asText(), n.path("memory").asText(null));
    }

    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("id", id);
        o.put("kind", kind);
        o.put("prompt", prompt);
        o.put("answer", answer);
        if (memory != null) {
            o.put("memory", memory);
        }
        return o;
    }
}
