package cpi.mitigate;

import com.fasterxml.jackson.databind.JsonNode;
import cpi.util.Json;
import cpi.util.UserError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads question + context + answer items: SQuAD v1/v2 JSON ({@code data[].paragraphs[].qas[]}), a JSON
 * array or JSONL of flat rows (HF SQuAD rows with {@code answers.text[]}, or {@code answer}/{@code answers}),
 * and cpi conflict-schema rows (cpi-eval's {@code context, question, answer, memory_answer}, or
 * {@code counterfactual_answer, parametric_answer}; ConflictQA's {@code counter_memory, counter_answer,
 * memory_answer}). Rows without a context or answer are skipped. JSON Lines are recognised by content
 * (ConflictQA ships JSONL named .json).
 */
public final class ContextQaFiles {
    private ContextQaFiles() {}

    public static List<ContextQaItem> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new UserError(file + ": file not found (pass a SQuAD-style or cpi conflict-schema file)");
        }
        List<JsonNode> rows = new ArrayList<>();
        if (MitigationData.isJsonLines(file)) {
            List<String> lines = MitigationData.lines(file);
            for (int i = 0; i < lines.size(); i++) {
                if (!lines.get(i).isBlank()) {
                    rows.add(Json.parseLine(lines.get(i), file, i + 1));
                }
            }
        } else {
            JsonNode root = Json.read(file);
            if (root.isObject() && root.has("data") && root.get("data").isArray()) {
                return squad(root, file);
            }
            if (!root.isArray()) {
                throw new UserError(file + ": expected SQuAD JSON (with 'data'), a JSON array or JSONL of "
                        + "{question, context, answer} rows");
            }
            root.forEach(rows::add);
        }
        List<ContextQaItem> out = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            JsonNode r = rows.get(i);
            String q = MitigationData.text(r, "question");
            String c = first(r, "context", "counter_memory");
            String id = MitigationData.text(r, "id");
            String par = first(r, "memory_answer", "parametric_answer");
            String ans = first(r, "counterfactual_answer", "counter_answer", "answer");
            if (ans == null) {
                ans = firstAnswer(r.get("answers"));
            }
            if (q != null && c != null && ans != null && !ans.isBlank()) {
                out.add(new ContextQaItem(id == null ? "row-" + i : id, q, c, ans, par));
            }
        }
        if (out.isEmpty()) {
            throw new UserError(file + ": no usable items (each needs question, context and answer)");
        }
        return out;
    }

    private static List<ContextQaItem> squad(JsonNode root, Path file) {
        List<ContextQaItem> out = new ArrayList<>();
        for (JsonNode article : root.get("data")) {
            for (JsonNode p : article.path("paragraphs")) {
                String c = p.path("context").asText(null);
                for (JsonNode qa : p.path("qas")) {
                    String a = firstAnswer(qa.get("answers"));
                    if (c != null && a != null && !a.isBlank() && !qa.path("is_impossible").asBoolean(false)) {
                        out.add(new ContextQaItem(qa.path("id").asText("q" + out.size()), qa.path("question").asText(),
                                c, a, null));
                    }
                }
            }
        }
        if (out.isEmpty()) {
            throw new UserError(file + ": SQuAD file has no answerable questions");
        }
        return out;
    }

    private static String first(JsonNode r, String... fields) {
        for (String f : fields) {
            JsonNode n = r.get(f);
            if (n != null && !n.isNull()) {
                return n.isArray() ? (n.isEmpty() ? null : n.get(0).asText()) : n.asText();
            }
        }
        return null;
    }

    /** answers as ["x"], [{"text": "x"}] or {"text": ["x"]}. */
    private static String firstAnswer(JsonNode a) {
        if (a == null || a.isNull()) {
            return null;
        }
        if (a.isObject() && a.has("text")) {
            return firstAnswer(a.get("text"));
        }
        if (a.isArray() && !a.isEmpty()) {
            JsonNode f = a.get(0);
            return f.isObject() ? f.path("text").asText(null) : f.asText();
        }
        return a.isTextual() ? a.asText() : null;
    }
}
