package cpi.mitigate;

import cpi.train.IftData;
import cpi.train.IftExample;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import cpi.util.AtomicFiles;
import cpi.util.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads and writes instruction-finetuning mixtures. Reading is cpi.train's (Alpaca JSON array or JSONL,
 * chat {@code messages}, SQuAD, conflict rows); optional {@code id, kind, closed_book_prompt} are kept. Writing keeps those
 * fields, so a filtered or augmented mixture reads back unchanged: {@code .jsonl} writes one object a line,
 * anything else an Alpaca JSON array.
 */
public final class MitigationData {
    private MitigationData() {}

    /** Reads a mixture exactly as cpi finetune does ({@link IftData#read}), so filters see what training sees. */
    public static List<IftExample> read(Path file) {
        return IftData.read(file);
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
