package cpi.data;

import cpi.util.UserError;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The file formats cpi reads conflict items from. Each parser turns text into items or throws a one-line
 * UserError naming the file, line and field; nothing else escapes (the parsers are fuzzed).
 */
public enum Format {
    /** cpi's own schema (JSONL or JSON array): id, source, question, context, counterfactual_answer, parametric_answer, aliases, stratum. */
    CPI,
    /** The paper's release (github.com/locuslab/context-parametric-inversion): context, question, answer, memory_answer or parametric_answer. */
    CPI_EVAL,
    /** MemoTrap CSV: prompt, classes (Python list of two strings), answer_index (the instructed class). */
    MEMOTRAP,
    /** ConflictQA JSONL: question, counter_memory, counter_answer, memory_answer. */
    CONFLICTQA,
    /** NQ-Swap style JSONL: question, org_context, org_answer, sub_context, sub_answer. */
    NQ_SWAP;

    public static Format parse(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new UserError("unknown dataset format '" + name + "' (known: cpi, cpi_eval, memotrap, conflictqa, "
                    + "nq_swap)");
        }
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a file's text into items. ids are taken from an "id" field when the format has one, else
     * {@code idPrefix-N} with N the 0-based record index; stratum is the given default unless the record
     * names one.
     */
    public List<ConflictItem> parse(String text, String file, String idPrefix, String stratum) {
        return switch (this) {
            case MEMOTRAP -> memotrap(text, file, idPrefix, stratum);
            default -> json(text, file, idPrefix, stratum);
        };
    }

    /** Guesses the format of a user file from its extension and its first record's keys. */
    public static Format detect(String text, String file) {
        if (file.toLowerCase(Locale.ROOT).endsWith(".csv")) {
            return MEMOTRAP;
        }
        List<JsonRecords.Rec> recs = JsonRecords.read(text, file);
        if (recs.isEmpty()) {
            throw new UserError(file + ": no items (the file has no records; add one JSON object per line)");
        }
        JsonNode first = recs.get(0).node();
        if (first.has("counterfactual_answer")) {
            return CPI;
        }
        if (first.has("sub_answer") || first.has("sub_context")) {
            return NQ_SWAP;
        }
        if (first.has("counter_answer") || first.has("counter_memory")) {
            return CONFLICTQA;
        }
        if (first.has("answer") && (first.has("memory_answer") || first.has("parametric_answer"))) {
            return CPI_EVAL;
        }
        throw new UserError(file + ":" + recs.get(0).line() + ": unrecognised record (fields " + keys(first)
                + "); use the cpi schema: id, question, context, counterfactual_answer, parametric_answer "
                + "[, aliases, stratum, source]");
    }

    private static String keys(JsonNode n) {
        List<String> ks = new ArrayList<>();
        n.fieldNames().forEachRemaining(ks::add);
        return ks.isEmpty() ? "none" : String.join(", ", ks);
    }

    private List<ConflictItem> json(String text, String file, String idPrefix, String stratum) {
        List<ConflictItem> out = new ArrayList<>();
        List<JsonRecords.Rec> recs = JsonRecords.read(text, file);
        for (int i = 0; i < recs.size(); i++) {
            JsonNode r = recs.get(i).node();
            String where = file + ":" + recs.get(i).line();
            String autoId = idPrefix + "-" + i;
            out.add(switch (this) {
                case CPI -> cpi(r, where, autoId, stratum);
                case CPI_EVAL -> cpiEval(r, where, autoId, stratum);
                case CONFLICTQA -> conflictQa(r, where, autoId, stratum);
                case NQ_SWAP -> nqSwap(r, where, autoId, stratum);
                case MEMOTRAP -> throw new IllegalStateException();
            });
        }
        return out;
    }

    private static final String CPI_HINT = "cpi records need question, context, counterfactual_answer, "
            + "parametric_answer";

    private static ConflictItem cpi(JsonNode r, String where, String autoId, String stratum) {
        String id = Fields.optionalText(r, "id", where);
        String source = Fields.optionalText(r, "source", where);
        String question = Fields.text(r, "question", where, CPI_HINT);
        String context = Fields.optionalText(r, "context", where);
        List<String> cf = Fields.answers(r, "counterfactual_answer", where, CPI_HINT);
        List<String> par = Fields.answers(r, "parametric_answer", where, CPI_HINT);
        List<String> aliases = new ArrayList<>(cf.subList(1, cf.size()));
        aliases.addAll(Fields.stringList(r, "aliases", where));
        String st = Fields.optionalText(r, "stratum", where);
        return new ConflictItem(id == null || id.isBlank() ? autoId : id, source == null ? "cpi" : source,
                question.strip(), context == null ? "" : context.strip(), cf.get(0), par.get(0), aliases,
                st == null ? stratum : st);
    }

    private static final String CPI_EVAL_HINT = "records need context, question, answer and memory_answer or "
            + "parametric_answer";

    private static ConflictItem cpiEval(JsonNode r, String where, String autoId, String stratum) {
        String context = Fields.text(r, "context", where, CPI_EVAL_HINT);
        String question = Fields.text(r, "question", where, CPI_EVAL_HINT);
        String answer = Fields.text(r, "answer", where, CPI_EVAL_HINT);
        // world_facts.json says memory_answer, famous_biographies.jsonl says parametric_answer.
        String memory = r.has("parametric_answer")
                ? Fields.text(r, "parametric_answer", where, CPI_EVAL_HINT)
                : Fields.text(r, "memory_answer", where, CPI_EVAL_HINT);
        return new ConflictItem(autoId, "cpi-eval", question.strip(), context.strip(), answer.strip(), memory.strip(),
                List.of(), stratum);
    }

    private static final String CQA_HINT = "ConflictQA records need question, counter_memory, counter_answer, "
            + "memory_answer";

    private static ConflictItem conflictQa(JsonNode r, String where, String autoId, String stratum) {
        String question = Fields.text(r, "question", where, CQA_HINT);
        String context = Fields.text(r, "counter_memory", where, CQA_HINT);
        String cf = Fields.text(r, "counter_answer", where, CQA_HINT);
        String par = Fields.text(r, "memory_answer", where, CQA_HINT);
        return new ConflictItem(autoId, "conflictqa", question.strip(), context.strip(), cf.strip(), par.strip(),
                List.of(), stratum);
    }

    private static final String NQ_HINT = "NQ-Swap records need question, sub_context, sub_answer, org_answer";

    private static ConflictItem nqSwap(JsonNode r, String where, String autoId, String stratum) {
        String id = Fields.optionalText(r, "id", where);
        String question = Fields.text(r, "question", where, NQ_HINT);
        String context = Fields.text(r, "sub_context", where, NQ_HINT);
        List<String> cf = Fields.answers(r, "sub_answer", where, NQ_HINT);
        List<String> par = Fields.answers(r, "org_answer", where, NQ_HINT);
        return new ConflictItem(id == null || id.isBlank() ? autoId : id, "nq-swap", question.strip(),
                context.strip(), cf.get(0), par.get(0), cf.subList(1, cf.size()), stratum);
    }

    private static List<ConflictItem> memotrap(String text, String file, String idPrefix, String stratum) {
        List<Csv.Row> rows = Csv.parse(text, file);
        if (rows.isEmpty()) {
            return List.of();
        }
        List<String> header = rows.get(0).fields().stream().map(h -> h.strip().toLowerCase(Locale.ROOT)).toList();
        int prompt = header.indexOf("prompt");
        int classes = header.indexOf("classes");
        int index = header.indexOf("answer_index");
        if (prompt < 0 || classes < 0 || index < 0) {
            throw new UserError(file + ":1: MemoTrap CSV needs the header prompt,classes,answer_index (found "
                    + String.join(",", rows.get(0).fields()) + ")");
        }
        List<ConflictItem> out = new ArrayList<>();
        for (int i = 1; i < rows.size(); i++) {
            Csv.Row row = rows.get(i);
            String where = file + ":" + row.line();
            if (row.fields().size() != header.size()) {
                throw new UserError(where + ": expected " + header.size() + " columns, found " + row.fields().size()
                        + " (quote fields that contain commas)");
            }
            String p = row.fields().get(prompt);
            if (p.isBlank()) {
                throw new UserError(where + ": field 'prompt' is empty");
            }
            List<String> cls = PyList.parse(row.fields().get(classes));
            if (cls == null || cls.size() != 2) {
                throw new UserError(where + ": field 'classes' must be a list of two quoted strings like "
                        + "[' heavy.', ' fonder.'], found " + JsonRecords.oneLine(row.fields().get(classes)));
            }
            int k;
            try {
                k = Integer.parseInt(row.fields().get(index).strip());
            } catch (NumberFormatException e) {
                k = -1;
            }
            if (k != 0 && k != 1) {
                throw new UserError(where + ": field 'answer_index' must be 0 or 1, found '"
                        + JsonRecords.oneLine(row.fields().get(index)) + "'");
            }
            String cf = answerText(cls.get(k));
            String par = answerText(cls.get(1 - k));
            if (cf.isEmpty() || par.isEmpty()) {
                throw new UserError(where + ": field 'classes' holds an empty class");
            }
            // The prompt carries its own instruction ("Write a quote that ends in the word ..."): it is the
            // question, and there is no separate context.
            out.add(new ConflictItem(idPrefix + "-" + (i - 1), "memotrap", p.strip(), "", cf, par, List.of(),
                    stratum));
        }
        return out;
    }

    /** " heavy." → "heavy": the word the scorers look for (the period is not part of the answer). */
    static String answerText(String cls) {
        String s = cls.strip();
        while (s.endsWith(".") && s.length() > 1) {
            s = s.substring(0, s.length() - 1).strip();
        }
        return s;
    }
}
