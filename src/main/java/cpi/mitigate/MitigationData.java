package cpi.mitigate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import cpi.util.AtomicFiles;
import cpi.util.Json;
import cpi.util.UserError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and writes instruction-finetuning mixtures. Reading accepts an Alpaca JSON array
 * ({@code instruction, input, output}) or JSONL of the same objects or of chat {@code messages}
 * (user, then assistant); optional {@code id, kind, closed_book_prompt} are kept. Writing keeps those
 * fields, so a filtered or augmented mixture reads back unchanged: {@code .jsonl} writes one object a line,
 * anything else an Alpaca JSON array.
 */
public final class MitigationData {
    private MitigationData() {}

    public static List<IftExample> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new UserError(file + ": file not found (pass an Alpaca .json or a .jsonl of examples)");
        }
        List<IftExample> out = new ArrayList<>();
        if (isJsonLines(file)) {
            List<String> lines = lines(file);
            for (int i = 0; i < lines.size(); i++) {
                if (!lines.get(i).isBlank()) {
                    out.add(example(Json.parseLine(lines.get(i), file, i + 1), file, i + 1, out.size()));
                }
            }
        } else {
            JsonNode root = Json.read(file);
            if (!root.isArray()) {
                throw new UserError(file + ": expected a JSON array of {instruction, input, output} objects");
            }
            for (int i = 0; i < root.size(); i++) {
                out.add(example(root.get(i), file, i + 1, i));
            }
        }
        if (out.isEmpty()) {
            throw new UserError(file + ": no examples");
        }
        return out;
    }

    /** .jsonl, or a file whose first two non-blank lines each start a JSON object (JSONL named .json). */
    public static boolean isJsonLines(Path file) {
        if (file.getFileName().toString().endsWith(".jsonl")) {
            return true;
        }
        try (var r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int seen = 0;
            for (String l = r.readLine(); l != null && seen < 2; l = r.readLine()) {
                String t = l.strip();
                if (t.isEmpty()) {
                    continue;
                }
                if (!(t.startsWith("{") && t.endsWith("}"))) {
                    return false;
                }
                seen++;
            }
            return seen == 2;
        } catch (IOException e) {
            return false;
        }
    }

    static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static IftExample example(JsonNode o, Path file, long where, int index) {
        String id = text(o, "id");
        if (id == null) {
            id = "ex-" + index;
        }
        if (o.has("messages") && o.get("messages").isArray()) {
            String user = null;
            String assistant = null;
            for (JsonNode m : o.get("messages")) {
                String role = m.path("role").asText();
                if (role.equals("user") && user == null) {
                    user = m.path("content").asText();
                } else if (role.equals("assistant") && user != null && assistant == null) {
                    assistant = m.path("content").asText();
                }
            }
            if (user == null || assistant == null) {
                throw new UserError(file + ": record " + where + ": messages need a user then an assistant turn");
            }
            return new IftExample(id, user, "", assistant, text(o, "kind"), text(o, "closed_book_prompt"));
        }
        String instruction = text(o, "instruction");
        String output = text(o, "output");
        if (instruction == null || output == null) {
            throw new UserError(file + ": record " + where + ": needs 'instruction' and 'output' (Alpaca) or "
                    + "'messages' (chat)");
        }
        String input = text(o, "input");
        return new IftExample(id, instruction, input == null ? "" : input, output, text(o, "kind"),
                text(o, "closed_book_prompt"));
    }

    static String text(JsonNode o, String field) {
        JsonNode n = o.get(field);
        return n == null || n.isNull() ? null : n.asText();
    }

    public static ObjectNode toJson(IftExample e) {
        ObjectNode o = Json.object();
        o.put("id", e.id());
        o.put("instruction", e.instruction());
        o.put("input", e.input() == null ? "" : e.input());
        o.put("output", e.output());
        if (e.kind() != null) {
            o.put("kind", e.kind());
        }
        if (e.closedBookPrompt() != null) {
            o.put("closed_book_prompt", e.closedBookPrompt());
        }
        return o;
    }

    /** Writes examples atomically: JSONL for a .jsonl file, else an Alpaca-style JSON array. */
    public static void write(Path file, List<IftExample> examples) {
        if (file.getFileName().toString().endsWith(".jsonl")) {
            StringBuilder sb = new StringBuilder();
            examples.forEach(e -> sb.append(Json.write(toJson(e))).append('\n'));
            AtomicFiles.writeString(file, sb.toString());
        } else {
            ArrayNode a = Json.MAPPER.createArrayNode();
            examples.forEach(e -> a.add(toJson(e)));
            Json.writeFile(file, a);
        }
    }
}
