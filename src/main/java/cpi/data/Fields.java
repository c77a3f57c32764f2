package cpi.data;

import cpi.util.UserError;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** Typed access to a record's fields; every problem is a one-line UserError naming file, line and field. */
final class Fields {
    private Fields() {}

    /** A required non-blank string field. */
    static String text(JsonNode rec, String field, String where, String hint) {
        JsonNode n = rec.get(field);
        if (n == null || n.isNull()) {
            throw new UserError(where + ": missing field '" + field + "' (" + hint + ")");
        }
        if (!n.isTextual()) {
            throw new UserError(where + ": field '" + field + "' must be a string, found " + kind(n) + " (" + hint
                    + ")");
        }
        if (n.asText().isBlank()) {
            throw new UserError(where + ": field '" + field + "' is empty (" + hint + ")");
        }
        return n.asText();
    }

    /** An optional string field: null when absent or null; a UserError when present with another type. */
    static String optionalText(JsonNode rec, String field, String where) {
        JsonNode n = rec.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (n.isTextual()) {
            return n.asText();
        }
        if (n.isNumber() || n.isBoolean()) {
            return n.asText();
        }
        throw new UserError(where + ": field '" + field + "' must be a string, found " + kind(n));
    }

    /** A required answer given as a string or a non-empty list of strings (first = answer, rest = aliases). */
    static List<String> answers(JsonNode rec, String field, String where, String hint) {
        JsonNode n = rec.get(field);
        if (n != null && n.isArray()) {
            List<String> out = new ArrayList<>();
            for (JsonNode e : n) {
                if (!e.isTextual()) {
                    throw new UserError(where + ": field '" + field + "' must hold strings, found " + kind(e));
                }
                if (!e.asText().isBlank()) {
                    out.add(e.asText().strip());
                }
            }
            if (out.isEmpty()) {
                throw new UserError(where + ": field '" + field + "' is an empty list (" + hint + ")");
            }
            return out;
        }
        return List.of(text(rec, field, where, hint).strip());
    }

    /** Optional list of strings (aliases). */
    static List<String> stringList(JsonNode rec, String field, String where) {
        JsonNode n = rec.get(field);
        if (n == null || n.isNull()) {
            return List.of();
        }
        if (n.isTextual()) {
            return List.of(n.asText());
        }
        if (!n.isArray()) {
            throw new UserError(where + ": field '" + field + "' must be a list of strings, found " + kind(n));
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : n) {
            if (!e.isTextual()) {
                throw new UserError(where + ": field '" + field + "' must hold strings, found " + kind(e));
            }
            out.add(e.asText());
        }
        return out;
    }

    static String kind(JsonNode n) {
        return switch (n.getNodeType()) {
            case ARRAY -> "a list";
            case OBJECT -> "an object";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL, MISSING -> "null";
            default -> "a " + n.getNodeType().name().toLowerCase();
        };
    }
}
