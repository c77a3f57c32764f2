package cpi.data;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Checks a dataset for the problems that silently distort context-reliance numbers: a counterfactual
 * answer the context never states, equal answers (a conflict that is no conflict), non-atomic answers that
 * exact matching can never hit, duplicate items, empty fields.
 */
public final class DataValidator {
    private DataValidator() {}

    public static List<ValidationIssue> validate(Dataset ds) {
        List<ValidationIssue> out = new ArrayList<>();
        Map<String, String> seen = new HashMap<>();
        for (ConflictItem it : ds.items()) {
            checkEmpty(it, out);
            // A completion task (MemoTrap) has no context: its instruction is in the question.
            String evidence = it.context().isBlank() ? it.question() : it.context();
            String cf = it.counterfactualAnswer();
            if (!cf.isBlank() && !containsAny(evidence, cf, it.aliases())) {
                out.add(new ValidationIssue(it.id(), ValidationIssue.Kind.COUNTERFACTUAL_NOT_IN_CONTEXT,
                        "'" + cf + "' does not appear in the " + (it.context().isBlank() ? "prompt" : "context")));
            }
            if (!cf.isBlank() && Answers.normalize(cf).equals(Answers.normalize(it.parametricAnswer()))) {
                out.add(new ValidationIssue(it.id(), ValidationIssue.Kind.ANSWERS_EQUAL,
                        "counterfactual and parametric answer are both '" + cf + "'"));
            }
            for (String a : List.of(cf, it.parametricAnswer())) {
                if (Answers.isNonAtomic(a)) {
                    out.add(new ValidationIssue(it.id(), ValidationIssue.Kind.NON_ATOMIC_ANSWER,
                            "'" + a + "' (scored as alternatives " + Answers.alternatives(a) + ")"));
                }
            }
            // Same question and same counterfactual answer: one conflict counted twice. (CF_Bio repeats each
            // question with five different substituted names on purpose; those are distinct items.)
            String key = Answers.normalize(it.question()) + "\u0000" + Answers.normalize(cf);
            String prev = seen.putIfAbsent(key, it.id());
            if (prev != null) {
                out.add(new ValidationIssue(it.id(), ValidationIssue.Kind.DUPLICATE, "same question and counterfactual "
                        + "answer as " + prev));
            }
        }
        return out;
    }

    private static void checkEmpty(ConflictItem it, List<ValidationIssue> out) {
        if (it.question().isBlank()) {
            out.add(new ValidationIssue(it.id(), ValidationIssue.Kind.EMPTY_FIELD, "question is empty"));
        }
        if (it.counterfactualAnswer().isBlank()) {
            out.add(new ValidationIssue(it.id(), ValidationIssue.Kind.EMPTY_FIELD, "counterfactual_answer is empty"));
        }
        if (it.parametricAnswer().isBlank()) {
            out.add(new ValidationIssue(it.id(), ValidationIssue.Kind.EMPTY_FIELD, "parametric_answer is empty"));
        }
    }

    private static boolean containsAny(String text, String answer, List<String> aliases) {
        String lower = text.toLowerCase(Locale.ROOT);
        if (lower.contains(answer.toLowerCase(Locale.ROOT))) {
            return true;
        }
        String norm = Answers.normalize(text);
        for (String a : Answers.alternatives(answer)) {
            if (Answers.wordPosition(norm, Answers.normalize(a)) >= 0) {
                return true;
            }
        }
        for (String a : aliases) {
            if (Answers.wordPosition(norm, Answers.normalize(a)) >= 0) {
                return true;
            }
        }
        return false;
    }
}
