package cpi.train;

import cpi.experiment.TrajectoryRecord;
import cpi.eval.PromptTemplate;
import cpi.model.TextModel;
import cpi.util.Json;
import cpi.util.UserError;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * lm-eval-style multiple-choice capability benchmarks scored by log-likelihood: the predicted choice is the
 * one whose text, as the answer after the templated question, has the highest total log-probability
 * ("acc"). Files: generic JSONL/JSON {question, choices: [..], answer: index | "B"}, ARC JSONL
 * {question: {stem, choices: [{text, label}]}, answerKey}, and MMLU CSV rows (question, A, B, C, D, answer).
 */
public final class McBenchmark {
    private McBenchmark() {}

    public record Item(String question, List<String> choices, int answer) {}

    public record Score(String name, double accuracy, long n) {}

    /** True for MMLU CSV files and records with "choices" (generic or ARC). */
    public static boolean isMultipleChoice(Path file) {
        if (file.toString().endsWith(".csv")) {
            return true;
        }
        try (var r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            char[] buf = new char[65536];
            int n = r.read(buf);
            return n > 0 && new String(buf, 0, n).contains("\"choices\"");
        } catch (IOException e) {
            throw new UserError(file + ": unreadable: " + e.getMessage());
        }
    }

    public static String name(Path file) {
        return file.getFileName().toString().replaceFirst("\\.(jsonl|json|csv)$", "");
    }

    /** The "_capability" trajectory metric an in-loop benchmark file is recorded under (cpi.report reads it). */
    public static String metric(Path file) {
        return TrajectoryRecord.BENCHMARK_PREFIX + name(file);
    }

    public static List<Item> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new UserError(file + ": benchmark file not found");
        }
        List<Item> out = new ArrayList<>();
        try {
            if (file.toString().endsWith(".csv")) {
                List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                for (int i = 0; i < lines.size(); i++) {
                    if (lines.get(i).isBlank()) {
                        continue;
                    }
                    List<String> f = csv(lines.get(i));
                    if (f.size() < 4) {
                        throw new UserError(file + ":" + (i + 1) + ": expected question, choices..., answer letter");
                    }
                    out.add(new Item(f.get(0), f.subList(1, f.size() - 1), index(f.get(f.size() - 1), f.size() - 2,
                            file + ":" + (i + 1))));
                }
            } else {
                String text = Files.readString(file, StandardCharsets.UTF_8).strip();
                List<JsonNode> recs = new ArrayList<>();
                if (text.startsWith("[")) {
                    Json.read(file).forEach(recs::add);
                } else {
                    String[] lines = text.split("\n");
                    for (int i = 0; i < lines.length; i++) {
                        if (!lines[i].isBlank()) {
                            recs.add(Json.parseLine(lines[i], file, i + 1));
                        }
                    }
                }
                for (int i = 0; i < recs.size(); i++) {
                    out.add(item(recs.get(i), file + ": record " + (i + 1)));
                }
            }
        } catch (IOException e) {
            throw new UserError(file + ": unreadable: " + e.getMessage());
        }
        if (out.isEmpty()) {
            throw new UserError(file + ": no benchmark items");
        }
        return out;
    }

    private static Item item(JsonNode o, String where) {
        JsonNode q = o.get("question");
        if (q == null) {
            throw new UserError(where + ": missing field 'question'");
        }
        List<String> choices = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        String question;
        JsonNode cs;
        if (q.isObject()) { // ARC
            question = q.path("stem").asText();
            cs = q.get("choices");
        } else {
            question = q.asText();
            cs = o.get("choices");
        }
        if (cs == null || !cs.isArray() || cs.size() < 2) {
            throw new UserError(where + ": 'choices' must list at least two answers");
        }
        for (JsonNode c : cs) {
            choices.add(c.isObject() ? c.path("text").asText() : c.asText());
            labels.add(c.isObject() ? c.path("label").asText() : "");
        }
        JsonNode a = o.has("answerKey") ? o.get("answerKey") : o.get("answer");
        if (a == null) {
            throw new UserError(where + ": missing field 'answer' (index or letter) or 'answerKey'");
        }
        int idx = labels.indexOf(a.asText());
        if (idx < 0) {
            idx = a.isInt() ? a.asInt() : index(a.asText(), choices.size(), where);
        }
        if (idx < 0 || idx >= choices.size()) {
            throw new UserError(where + ": answer " + a + " is not one of the " + choices.size() + " choices");
        }
        return new Item(question, choices, idx);
    }

    private static int index(String s, int n, String where) {
        String t = s.strip();
        if (t.length() == 1 && Character.isLetter(t.charAt(0))) {
            return Character.toUpperCase(t.charAt(0)) - 'A';
        }
        try {
            return Integer.parseInt(t);
        } catch (NumberFormatException e) {
            throw new UserError(where + ": answer '" + s + "' is neither a letter nor an index (0.." + (n - 1) + ")");
        }
    }

    private static List<String> csv(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cur.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }

    /** Accuracy of the highest-log-likelihood choice. */
    public static Score score(String name, TextModel model, PromptTemplate template, List<Item> items) {
        List<String> prompts = new ArrayList<>();
        List<String> conts = new ArrayList<>();
        for (Item it : items) {
            String p = template.prompt(it.question(), null);
            for (String c : it.choices()) {
                prompts.add(p);
                conts.add(template.target(c));
            }
        }
        double[] ll = model.logLikelihood(prompts, conts);
        int k = 0;
        int correct = 0;
        for (Item it : items) {
            int best = 0;
            for (int c = 0; c < it.choices().size(); c++) {
                if (ll[k + c] > ll[k + best]) {
                    best = c;
                }
            }
            k += it.choices().size();
            if (best == it.answer()) {
                correct++;
            }
        }
        return new Score(name, correct / (double) items.size(), items.size());
    }
}
