package cpi.report;

import cpi.util.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads per-item evaluation records (items.NAME.jsonl) and classifies them. */
final class Items {
    private Items() {}

    /** Item id → record, in file order. Blank lines are skipped; a bad line is a UserError naming it. */
    static Map<String, JsonNode> read(Path file) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            long n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode o = Json.parseLine(line, file, n);
                String id = o.hasNonNull("id") ? o.get("id").asText() : "line-" + n;
                out.put(id, o);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** context | parametric | both | other | failed, from "label" when present, else from cf/par. */
    static String label(JsonNode item) {
        if (item.hasNonNull("status") && item.get("status").asText().equals("failed")) {
            return "failed";
        }
        if (item.hasNonNull("label")) {
            return item.get("label").asText();
        }
        boolean cf = item.path("cf").asInt(0) == 1;
        boolean par = item.path("par").asInt(0) == 1;
        return cf && par ? "both" : cf ? "context" : par ? "parametric" : "other";
    }

    static String text(JsonNode item, String field) {
        JsonNode n = item.get(field);
        return n == null || n.isNull() ? "" : n.isTextual() ? n.asText() : n.toString();
    }

    /**
     * The line of a prompt a reader recognises the item by: the last line with a question mark, else the
     * last non-empty line that is not a bare answer cue.
     */
    static String headline(String prompt) {
        String[] lines = prompt.split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            if (lines[i].contains("?")) {
                return lines[i].strip();
            }
        }
        for (int i = lines.length - 1; i >= 0; i--) {
            String l = lines[i].strip();
            if (!l.isEmpty() && !l.matches("(?i)(a|answer|assistant|<\\|assistant\\|>)\\s*:?")) {
                return l;
            }
        }
        return prompt.strip();
    }
}
