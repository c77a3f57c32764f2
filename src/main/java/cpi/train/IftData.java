package cpi.train;

import cpi.util.Hashing;
import cpi.util.Json;
import cpi.util.UserError;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads instruction-finetuning data into {@link IftExample}s. Formats, detected from the records:
 * <ul>
 *   <li>Alpaca: JSON array or JSONL of {instruction, input, output}</li>
 *   <li>chat: JSONL (or JSON array) of {messages: [{role, content}, ...]} (TULU / UltraChat); one example
 *       per assistant turn, earlier turns and any system message become the input</li>
 *   <li>SQuAD: the official {data: [{paragraphs: [{context, qas: [...]}]}]} file, or flat records
 *       {context, question, answers} (answers as {text: [...]}, a list, or a string)</li>
 *   <li>conflict schema (cpi): {question, context, counterfactual_answer | answer, ...}; the target is the
 *       context (counterfactual) answer, so these files serve as counterfactual augmentation</li>
 * </ul>
 * Optional fields on any record: id, kind, closed_book_prompt.
 */
public final class IftData {
    private IftData() {}

    /** Examples of a file plus the file's sha256, for provenance. */
    public record Loaded(String name, String sha256, Path file, List<IftExample> examples) {}

    /** Loads FILE or a NAME resolved in the data directories (see {@link #resolve}). */
    public static Loaded load(String fileOrName) {
        Path file = resolve(fileOrName);
        List<IftExample> ex = read(file);
        String name = file.getFileName().toString().replaceFirst("\\.(jsonl|json)$", "");
        return new Loaded(name, "sha256:" + Hashing.sha256(file), file, ex);
    }

    /**
     * A path as given when it exists; else NAME as a directory under $CPI_DATA, ./data, ../shared/data or
     * /work/shared/data holding exactly one .json/.jsonl file (e.g. "alpaca-5000").
     */
    public static Path resolve(String fileOrName) {
        Path p = Path.of(fileOrName);
        if (Files.isRegularFile(p)) {
            return p;
        }
        List<Path> roots = new ArrayList<>();
        String env = System.getenv("CPI_DATA");
        if (env != null && !env.isBlank()) {
            roots.add(Path.of(env));
        }
        roots.add(Path.of("data"));
        roots.add(Path.of("..", "shared", "data"));
        roots.add(Path.of("/work/shared/data"));
        for (Path root : roots) {
            Path d = root.resolve(fileOrName);
            if (Files.isDirectory(d)) {
                List<Path> files = dataFiles(d);
                if (files.size() == 1) {
                    return files.get(0);
                }
                throw new UserError(d + ": expected one .json/.jsonl file, found " + files.size()
                        + " (pass the file itself with --data)");
            }
            if (Files.isRegularFile(d)) {
                return d;
            }
        }
        throw new UserError(fileOrName + ": no such IFT data file or dataset directory (looked in "
                + roots.stream().map(Path::toString).toList() + "; pass a path or set CPI_DATA)");
    }

    private static List<Path> dataFiles(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(f -> f.toString().endsWith(".json") || f.toString().endsWith(".jsonl")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<IftExample> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new UserError(file + ": file not found");
        }
        String head = firstNonBlankChar(file);
        List<IftExample> out = new ArrayList<>();
        if (head.equals("[") || (head.equals("{") && !looksLikeJsonl(file))) {
            JsonNode root = Json.read(file);
            if (root.isArray()) {
                for (int i = 0; i < root.size(); i++) {
                    addRecord(out, root.get(i), file, "record " + (i + 1), "item-" + i);
                }
            } else if (root.has("data") && root.get("data").isArray()) {
                readSquadOfficial(out, root.get("data"), file);
            } else {
                addRecord(out, root, file, "record 1", "item-0");
            }
        } else {
            try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                String line;
                long n = 0;
                while ((line = r.readLine()) != null) {
                    n++;
                    if (line.isBlank()) {
                        continue;
                    }
                    addRecord(out, Json.parseLine(line, file, n), file, "line " + n, "line-" + n);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (out.isEmpty()) {
            throw new UserError(file + ": no training examples (the file is empty; expected Alpaca, chat, SQuAD "
                    + "or conflict records)");
        }
        return out;
    }

    private static String firstNonBlankChar(Path file) {
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int c;
            while ((c = r.read()) >= 0) {
                if (!Character.isWhitespace(c) && c != '\uFEFF') {
                    return String.valueOf((char) c);
                }
            }
            return "";
        } catch (IOException e) {
            throw new UserError(file + ": unreadable: " + e.getMessage());
        }
    }

    /** A file whose first line is a complete JSON object is JSONL (a pretty-printed object spans lines). */
    private static boolean looksLikeJsonl(Path file) {
        if (file.toString().endsWith(".jsonl")) {
            return true;
        }
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                if (!line.isBlank()) {
                    try {
                        return Json.MAPPER.readTree(line).isObject() && r.readLine() != null;
                    } catch (IOException e) {
                        return false;
                    }
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    private static void addRecord(List<IftExample> out, JsonNode o, Path file, String where, String defaultId) {
        if (o == null || !o.isObject()) {
            throw new UserError(file + ": " + where + ": expected a JSON object");
        }
        String id = o.hasNonNull("id") ? o.get("id").asText() : defaultId;
        String kind = text(o, "kind", file, where);
        String closed = text(o, "closed_book_prompt", file, where);
        if (o.has("messages")) {
            readChat(out, o.get("messages"), id, kind, closed, file, where);
        } else if (o.has("instruction") || o.has("output")) {
            String output = required(o, "output", file, where);
            String instruction = required(o, "instruction", file, where);
            out.add(new IftExample(id, instruction, text(o, "input", file, where), output, kind, closed));
        } else if (o.has("question")) {
            String q = required(o, "question", file, where);
            String ctx = text(o, "context", file, where);
            String answer = o.has("counterfactual_answer") ? required(o, "counterfactual_answer", file, where)
                    : o.has("answers") ? squadAnswer(o.get("answers"), file, where)
                    : required(o, "answer", file, where);
            out.add(new IftExample(id, q, ctx, answer, kind == null && o.has("counterfactual_answer")
                    ? "counterfactual" : kind, closed));
        } else {
            throw new UserError(file + ": " + where + ": unknown record; expected fields instruction/output "
                    + "(Alpaca), messages (chat), context/question/answers (SQuAD) or question/context/"
                    + "counterfactual_answer (conflict)");
        }
    }

    private static void readChat(List<IftExample> out, JsonNode messages, String id, String kind, String closed,
                                 Path file, String where) {
        if (!messages.isArray() || messages.isEmpty()) {
            throw new UserError(file + ": " + where + ": 'messages' must be a non-empty array of {role, content}");
        }
        StringBuilder history = new StringBuilder();
        String lastUser = null;
        int turn = 0;
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String w = where + ", messages[" + i + "]";
            String role = required(m, "role", file, w);
            String content = required(m, "content", file, w);
            switch (role) {
                case "system" -> history.append(content).append("\n");
                case "user", "human" -> {
                    if (lastUser != null) {
                        history.append("User: ").append(lastUser).append("\n");
                    }
                    lastUser = content;
                }
                case "assistant", "gpt" -> {
                    if (lastUser == null) {
                        throw new UserError(file + ": " + w + ": assistant turn without a preceding user turn");
                    }
                    String input = history.toString().strip();
                    out.add(new IftExample(turn == 0 ? id : id + "#" + turn, lastUser, input.isEmpty() ? null : input,
                            content, kind, closed));
                    history.append("User: ").append(lastUser).append("\nAssistant: ").append(content).append("\n");
                    lastUser = null;
                    turn++;
                }
                default -> throw new UserError(file + ": " + w + ": unknown role '" + role
                        + "' (expected system, user or assistant)");
            }
        }
        if (turn == 0) {
            throw new UserError(file + ": " + where + ": no assistant message to train on");
        }
    }

    private static void readSquadOfficial(List<IftExample> out, JsonNode data, Path file) {
        for (int a = 0; a < data.size(); a++) {
            JsonNode paragraphs = data.get(a).path("paragraphs");
            for (int p = 0; p < paragraphs.size(); p++) {
                JsonNode para = paragraphs.get(p);
                String where = "data[" + a + "].paragraphs[" + p + "]";
                String ctx = required(para, "context", file, where);
                JsonNode qas = para.path("qas");
                for (int q = 0; q < qas.size(); q++) {
                    JsonNode qa = qas.get(q);
                    String w = where + ".qas[" + q + "]";
                    if (qa.path("is_impossible").asBoolean(false)) {
                        continue;
                    }
                    String id = qa.hasNonNull("id") ? qa.get("id").asText() : a + "-" + p + "-" + q;
                    out.add(new IftExample(id, required(qa, "question", file, w), ctx,
                            squadAnswer(qa.get("answers"), file, w), null, null));
                }
            }
        }
    }

    private static String squadAnswer(JsonNode answers, Path file, String where) {
        if (answers == null || answers.isNull()) {
            throw new UserError(file + ": " + where + ": missing field 'answers'");
        }
        if (answers.isTextual()) {
            return answers.asText();
        }
        if (answers.isObject() && answers.has("text")) {
            return squadAnswer(answers.get("text"), file, where);
        }
        if (answers.isArray() && !answers.isEmpty()) {
            JsonNode first = answers.get(0);
            return first.isObject() ? required(first, "text", file, where + ".answers[0]") : first.asText();
        }
        throw new UserError(file + ": " + where + ": 'answers' has no answer text (expected {text: [...]}, a "
                + "list, or a string)");
    }

    private static String required(JsonNode o, String field, Path file, String where) {
        JsonNode n = o.get(field);
        if (n == null || n.isNull()) {
            throw new UserError(file + ": " + where + ": missing field '" + field + "'");
        }
        if (!n.isTextual()) {
            throw new UserError(file + ": " + where + ": field '" + field + "' must be a string, got "
                    + n.getNodeType().toString().toLowerCase());
        }
        return n.asText();
    }

    private static String text(JsonNode o, String field, Path file, String where) {
        JsonNode n = o.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw new UserError(file + ": " + where + ": field '" + field + "' must be a string, got "
                    + n.getNodeType().toString().toLowerCase());
        }
        return n.asText();
    }
}
