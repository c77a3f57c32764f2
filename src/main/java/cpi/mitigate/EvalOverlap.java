package cpi.mitigate;

import java.nio.file.Path;
import java.text.Normalizer;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Guards evaluation against leakage: training items whose normalised question + context equals an
 * evaluation item's are refused. Normalisation: NFKC, lower case, punctuation to spaces, whitespace
 * collapsed, so a re-spaced or re-quoted copy still counts as the same item.
 */
public final class EvalOverlap {
    private final Set<String> keys = new HashSet<>();

    public static EvalOverlap of(List<Path> evalFiles) {
        EvalOverlap o = new EvalOverlap();
        for (Path f : evalFiles) {
            for (ContextQaItem i : ContextQaFiles.read(f)) {
                o.add(i.question(), i.context());
            }
        }
        return o;
    }

    public void add(String question, String context) {
        keys.add(key(question, context));
    }

    public int size() {
        return keys.size();
    }

    public boolean contains(String question, String context) {
        return keys.contains(key(question, context));
    }

    public static String key(String question, String context) {
        return normalise(question) + " || " + normalise(context);
    }

    public static String normalise(String s) {
        if (s == null) {
            return "";
        }
        String t = Normalizer.normalize(s, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
        return t.replaceAll("[^\\p{L}\\p{N}]+", " ").strip();
    }
}
