package cpi.eval;

import cpi.data.Answers;
import cpi.data.ConflictItem;
import cpi.util.UserError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The scorers by name:
 * <ul>
 *   <li>{@code contains} — the paper's metric: each answer string checked independently for appearing in
 *       the output (exact substring, so "Paris" counts inside "Parisian" and "La Paz (administrative); Sucre
 *       (judicial)" never matches);
 *   <li>{@code normalized} — whole-word match after normalising case, accents, punctuation and articles;
 *       non-atomic answers split into alternatives; aliases accepted;
 *   <li>{@code first-mention} — as normalized, but only the answer mentioned first counts;
 *   <li>{@code logprob} — no generation: the answer whose continuation is more likely wins.
 * </ul>
 */
public final class Scorers {
    private static final Map<String, Scorer> SCORERS = new LinkedHashMap<>();

    static {
        add(new Contains());
        add(new Normalized());
        add(new FirstMention());
        add(new LogProb());
    }

    private Scorers() {}

    private static void add(Scorer s) {
        SCORERS.put(s.name(), s);
    }

    public static List<String> names() {
        return List.copyOf(SCORERS.keySet());
    }

    public static Scorer get(String name) {
        Scorer s = SCORERS.get(name);
        if (s == null) {
            throw new UserError("unknown scorer '" + name + "' (known: " + String.join(", ", names()) + ")");
        }
        return s;
    }

    static final class Contains implements Scorer {
        @Override
        public String name() {
            return "contains";
        }

        @Override
        public Judgement judge(ConflictItem item, String output) {
            return Judgement.of(output.contains(item.counterfactualAnswer().strip()),
                    output.contains(item.parametricAnswer().strip()));
        }
    }

    static final class Normalized implements Scorer {
        @Override
        public String name() {
            return "normalized";
        }

        @Override
        public Judgement judge(ConflictItem item, String output) {
            String norm = Answers.normalize(output);
            return Judgement.of(firstPosition(norm, cfAlternatives(item)) >= 0,
                    firstPosition(norm, Answers.alternatives(item.parametricAnswer())) >= 0);
        }
    }

    static final class FirstMention implements Scorer {
        @Override
        public String name() {
            return "first-mention";
        }

        @Override
        public Judgement judge(ConflictItem item, String output) {
            String norm = Answers.normalize(output);
            int cf = firstPosition(norm, cfAlternatives(item));
            int par = firstPosition(norm, Answers.alternatives(item.parametricAnswer()));
            if (cf >= 0 && (par < 0 || cf < par)) {
                return Judgement.of(true, false);
            }
            if (par >= 0 && (cf < 0 || par < cf)) {
                return Judgement.of(false, true);
            }
            if (cf >= 0) {
                // Both start at the same word (one answer extends the other): the longer match is the mention.
                // Equal matches mean the two answers are the same text: a non-conflicting item (e.g. a
                // factual-context capability question), answered correctly on both counts.
                int cfLen = longestAt(norm, cfAlternatives(item), cf);
                int parLen = longestAt(norm, Answers.alternatives(item.parametricAnswer()), par);
                return cfLen == parLen ? Judgement.of(true, true) : Judgement.of(cfLen > parLen, parLen > cfLen);
            }
            return Judgement.of(false, false);
        }
    }

    static final class LogProb implements Scorer {
        @Override
        public String name() {
            return "logprob";
        }

        @Override
        public boolean usesLogLikelihood() {
            return true;
        }

        @Override
        public Judgement judge(ConflictItem item, String output) {
            throw new IllegalStateException("logprob scores log-likelihoods, not text");
        }
    }

    static List<String> cfAlternatives(ConflictItem item) {
        List<String> alts = new ArrayList<>(Answers.alternatives(item.counterfactualAnswer()));
        alts.addAll(item.aliases());
        return alts;
    }

    /** The earliest word index at which any alternative occurs in the normalised text, or -1. */
    static int firstPosition(String normText, List<String> alternatives) {
        int best = -1;
        for (String a : alternatives) {
            int p = Answers.wordPosition(normText, Answers.normalize(a));
            if (p >= 0 && (best < 0 || p < best)) {
                best = p;
            }
        }
        return best;
    }

    private static int longestAt(String normText, List<String> alternatives, int pos) {
        int len = 0;
        for (String a : alternatives) {
            String n = Answers.normalize(a);
            if (Answers.wordPosition(normText, n) == pos) {
                len = Math.max(len, n.length());
            }
        }
        return len;
    }
}
