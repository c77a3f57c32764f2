package cpi.data;

import cpi.util.UserError;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import cpi.util.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The records of a JSON file that is either one array of objects or JSON Lines (one object per line; some
 * sources use a .json suffix for JSONL). Each record keeps its 1-based line number for error messages.
 */
final class JsonRecords {
    private JsonRecords() {}

    record Rec(long line, JsonNode node) {}

    static List<Rec> read(String text, String file) {
        String t = text.startsWith("\uFEFF") ? text.substring(1) : text;
        String head = t.stripLeading();
        if (head.startsWith("[")) {
            return readArray(t, file);
        }
        return readLines(t, file);
    }

    private static List<Rec> readArray(String text, String file) {
        List<Rec> out = new ArrayList<>();
        try (JsonParser p = Json.MAPPER.getFactory().createParser(text)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw new UserError(file + ": expected a JSON array of objects");
            }
            while (true) {
                JsonToken tok = p.nextToken();
                if (tok == JsonToken.END_ARRAY) {
                    break;
                }
                if (tok == null) {
                    throw new UserError(file + ": malformed JSON: the array is not closed (file truncated?)");
                }
                long line = p.currentTokenLocation().getLineNr();
                JsonNode node = Json.MAPPER.readTree(p);
                if (node == null || !node.isObject()) {
                    throw new UserError(file + ":" + line + ": expected an object in the array, found "
                            + (node == null ? "nothing" : Fields.kind(node)));
                }
                out.add(new Rec(line, node));
            }
            if (p.nextToken() != null) {
                throw new UserError(file + ":" + p.currentTokenLocation().getLineNr()
                        + ": malformed JSON: unexpected content after the array");
            }
        } catch (JsonParseException e) {
            throw new UserError(file + ":" + e.getLocation().getLineNr() + ": malformed JSON: "
                    + oneLine(e.getOriginalMessage()) + " (fix the file or re-download it)");
        } catch (JsonProcessingException e) {
            long line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            throw new UserError(file + ":" + line + ": malformed JSON: " + oneLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static List<Rec> readLines(String text, String file) {
        List<Rec> out = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.isBlank()) {
                continue;
            }
            JsonNode node;
            try {
                node = Json.MAPPER.readTree(line);
            } catch (JsonProcessingException e) {
                throw new UserError(file + ":" + (i + 1) + ": malformed JSON: " + oneLine(e.getOriginalMessage())
                        + " (each line must be one JSON object)");
            }
            if (node == null || !node.isObject()) {
                throw new UserError(file + ":" + (i + 1) + ": expected a JSON object on this line, found "
                        + (node == null ? "nothing" : Fields.kind(node)));
            }
            out.add(new Rec(i + 1, node));
        }
        return out;
    }

    static String oneLine(String s) {
        if (s == null) {
            return "";
        }
        String one = s.replaceAll("\\s+", " ").strip();
        return one.length() > 160 ? one.substring(0, 160) + "…" : one;
    }
}
