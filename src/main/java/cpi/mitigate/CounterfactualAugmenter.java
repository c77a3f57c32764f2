package cpi.mitigate;

import cpi.train.IftExample;

import cpi.util.UserError;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Counterfactual augmentation (paper §6.1): adds examples whose context contradicts a fact and whose
 * target is the context's answer, so finetuning keeps rewarding reading the context.
 *
 * <p>Two kinds of source item: plain context-QA (SQuAD-style), where every occurrence of the answer in
 * the context is replaced by another answer of the same {@link AnswerType} from the source's own answer
 * pool (corpus substitution); and cpi conflict-schema items, already counterfactual, used as they are.
 * Items whose normalised question + context (before or after substitution) matches an evaluation item
 * are refused and counted.
 */
public final class CounterfactualAugmenter {
    public static final String KIND = "counterfactual";

    /** @param fraction augmented examples to add, as a fraction of the mixture's size (0.10 = 10%) */
    public record Options(double fraction, long seed) {
        public Options {
            if (!(fraction > 0 && fraction <= 10)) {
                throw new UserError("--fraction must be in (0, 10], got " + fraction);
            }
        }
    }

    /**
     * @param augmented          the new examples (kind "counterfactual")
     * @param mixture            the original examples with the augmented ones interleaved evenly
     * @param requested          how many were asked for (fraction × mixture size)
     * @param excludedOverlap    source items refused because they match an evaluation item
     * @param skipped            source items not usable, by reason
     * @param byType             augmented examples by answer type (conflict items count as "conflict")
     */
    public record Result(List<IftExample> augmented, List<IftExample> mixture, int requested, int excludedOverlap,
                         Map<String, Integer> skipped, Map<String, Integer> byType) {}

    private final Options options;

    public CounterfactualAugmenter(Options options) {
        this.options = options;
    }

    public Result augment(List<IftExample> data, List<ContextQaItem> source, EvalOverlap eval) {
        int requested = Math.max(1, (int) Math.round(data.size() * options.fraction()));
        Random rnd = new Random(options.seed());
        Map<AnswerType, List<String>> pool = pool(source);
        // Every source item that matches an evaluation item is refused up front (and counted), not just the
        // ones a draw happens to reach, so the count says how much of the source overlaps evaluation.
        List<ContextQaItem> order = new ArrayList<>();
        int excluded = 0;
        for (ContextQaItem item : source) {
            if (eval != null && eval.contains(item.question(), item.context())) {
                excluded++;
            } else {
                order.add(item);
            }
        }
        Collections.shuffle(order, rnd);
        List<IftExample> out = new ArrayList<>();
        Map<String, Integer> skipped = new LinkedHashMap<>();
        Map<String, Integer> byType = new LinkedHashMap<>();
        for (ContextQaItem item : order) {
            if (out.size() == requested) {
                break;
            }
            String context;
            String answer;
            String type;
            if (item.isConflict()) {
                context = item.context();
                answer = item.answer();
                type = "conflict";
            } else {
                AnswerType t = AnswerType.of(item.answer());
                if (t == AnswerType.OTHER) {
                    skipped.merge("answer of no substitutable type", 1, Integer::sum);
                    continue;
                }
                if (!mentions(item.context(), item.answer())) {
                    skipped.merge("answer not in context", 1, Integer::sum);
                    continue;
                }
                answer = replacement(item, pool.get(t), rnd);
                if (answer == null) {
                    skipped.merge("no other answer of its type", 1, Integer::sum);
                    continue;
                }
                context = substitute(item.context(), item.answer(), answer);
                if (!mentions(context, answer) || mentions(context, item.answer())) {
                    skipped.merge("substitution left the old answer", 1, Integer::sum);
                    continue;
                }
                type = t.name().toLowerCase(Locale.ROOT);
            }
            if (eval != null && eval.contains(item.question(), context)) {
                excluded++;
                continue;
            }
            out.add(new IftExample("cf-" + item.id(), item.question(), context, answer, KIND, null));
            byType.merge(type, 1, Integer::sum);
        }
        if (out.isEmpty()) {
            throw new UserError("no counterfactual examples could be made from the source (" + source.size()
                    + " items, " + excluded + " overlapping evaluation, skipped " + skipped
                    + "); use a context-QA file whose answers occur in their contexts");
        }
        return new Result(out, interleave(data, out), requested, excluded, skipped, byType);
    }

    /** Distinct answers (by normalised form) of each type, in source order. */
    static Map<AnswerType, List<String>> pool(List<ContextQaItem> source) {
        Map<AnswerType, Map<String, String>> seen = new EnumMap<>(AnswerType.class);
        for (ContextQaItem i : source) {
            if (i.isConflict()) {
                continue;
            }
            AnswerType t = AnswerType.of(i.answer());
            if (t != AnswerType.OTHER) {
                seen.computeIfAbsent(t, k -> new LinkedHashMap<>()).putIfAbsent(EvalOverlap.normalise(i.answer()),
                        i.answer().strip());
            }
        }
        Map<AnswerType, List<String>> out = new EnumMap<>(AnswerType.class);
        seen.forEach((t, m) -> out.put(t, new ArrayList<>(m.values())));
        return out;
    }

    /**
     * Another answer of the same type that neither contains nor is contained in the old one and that the
     * context does not already mention (either would leave the old answer, or make the new one ambiguous).
     */
    static String replacement(ContextQaItem item, List<String> candidates, Random rnd) {
        if (candidates == null || candidates.isEmpty()) {
            return null;
        }
        String old = EvalOverlap.normalise(item.answer());
        int start = rnd.nextInt(candidates.size());
        for (int k = 0; k < candidates.size(); k++) {
            String c = candidates.get((start + k) % candidates.size());
            String n = EvalOverlap.normalise(c);
            if (n.isEmpty() || n.contains(old) || old.contains(n) || mentions(item.context(), c)) {
                continue;
            }
            return c;
        }
        return null;
    }

    private static Pattern wordPattern(String phrase) {
        return Pattern.compile("(?<![\\p{L}\\p{N}])" + Pattern.quote(phrase.strip()) + "(?![\\p{L}\\p{N}])",
                Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
    }

    /** Whole-word, case-insensitive mention. */
    public static boolean mentions(String text, String phrase) {
        return wordPattern(phrase).matcher(text).find();
    }

    /** Every whole-word occurrence of {@code old} replaced by {@code replacement}. */
    public static String substitute(String text, String old, String replacement) {
        return wordPattern(old).matcher(text).replaceAll(Matcher.quoteReplacement(replacement.strip()));
    }

    /** The augmented examples spread evenly through the original order (training order need not be shuffled). */
    static List<IftExample> interleave(List<IftExample> data, List<IftExample> extra) {
        List<IftExample> out = new ArrayList<>(data.size() + extra.size());
        int n = data.size();
        int m = extra.size();
        int j = 0;
        for (int i = 0; i < n; i++) {
            out.add(data.get(i));
            // After original i, place the extras whose even position falls here.
            while (j < m && (long) (j + 1) * n <= (long) (i + 1) * m) {
                out.add(extra.get(j++));
            }
        }
        while (j < m) {
            out.add(extra.get(j++));
        }
        return out;
    }
}
