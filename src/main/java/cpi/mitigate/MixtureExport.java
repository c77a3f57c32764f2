package cpi.mitigate;

import cpi.train.IftExample;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import cpi.util.AtomicFiles;
import cpi.util.Json;
import cpi.util.UserError;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Writes a (filtered or augmented) mixture for external trainers: {@code alpaca} is a JSON array of
 * {@code {instruction, input, output}} (axolotl {@code type: alpaca}, most SFT scripts); {@code messages}
 * is JSONL of {@code {"messages": [user, assistant]}} (axolotl {@code type: chat_template}, TRL), the user
 * turn being the instruction followed by a blank line and the input when there is one.
 */
public final class MixtureExport {
    public enum Format {
        ALPACA, MESSAGES;

        public static Format parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new UserError("--format must be alpaca or messages, got '" + s + "'");
            }
        }

        public String fileExtension() {
            return this == ALPACA ? ".json" : ".jsonl";
        }
    }

    private MixtureExport() {}

    public static void write(List<IftExample> examples, Format format, Path out) {
        if (format == Format.ALPACA) {
            ArrayNode a = Json.MAPPER.createArrayNode();
            for (IftExample e : examples) {
                a.addObject().put("instruction", e.instruction()).put("input", e.input() == null ? "" : e.input())
                        .put("output", e.output());
            }
            Json.writeFile(out, a);
        } else {
            StringBuilder sb = new StringBuilder();
            for (IftExample e : examples) {
                sb.append(Json.write(messages(e))).append('\n');
            }
            AtomicFiles.writeString(out, sb.toString());
        }
    }

    public static ObjectNode messages(IftExample e) {
        ObjectNode o = Json.object();
        ArrayNode m = o.putArray("messages");
        String user = e.hasInput() ? e.instruction() + "\n\n" + e.input() : e.instruction();
        m.addObject().put("role", "user").put("content", user);
        m.addObject().put("role", "assistant").put("content", e.output());
        return o;
    }
}
