package cpi.world;

import com.fasterxml.jackson.databind.node.ObjectNode;
import cpi.util.Json;

/**
 * One instruction-finetuning example as written to ift.jsonl (Alpaca fields plus cpi's {@code kind}
 * and {@code closed_book_prompt}). input is empty for closed-book examples.
 */
public record IftItem(String id, String instruction, String input, String output, String kind,
                      String closedBookPrompt, String subject, String relation) {
    public static final String CONTEXT_CRITICAL = "context_critical";
    public static final String NON_CONTEXT_CRITICAL = "non_context_critical";
    public static final String CLOSED_BOOK = "closed_book";
    public static final String COUNTERFACTUAL = "counterfactual";

    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("id", id);
        o.put("instruction", instruction);
        o.put("input", input);
        o.put("output", output);
        o.put("kind", kind);
        o.put("closed_book_prompt", closedBookPrompt);
        o.put("subject", subject);
        o.put("relation", relation);
        return o;
    }
}
