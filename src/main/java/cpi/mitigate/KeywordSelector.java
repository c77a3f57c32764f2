package cpi.mitigate;

import cpi.train.IftExample;

import cpi.util.UserError;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Drops examples that mention any keyword (paper §4.1: e.g. drop examples about countries or capitals,
 * the facts the evaluation asks about). Whole-word, case-insensitive matching over instruction, input and
 * output, so "Chad" does not hit "Chadwick". Keywords file: one a line; blank lines and '#' comments skipped.
 */
public final class KeywordSelector implements ExampleSelector {
    private final List<String> keywords;
    private final Pattern pattern;

    public KeywordSelector(List<String> keywords) {
        Set<String> clean = new LinkedHashSet<>();
        for (String k : keywords) {
            if (k != null && !k.isBlank()) {
                clean.add(k.strip());
            }
        }
        if (clean.isEmpty()) {
            throw new UserError("no keywords given (put one keyword a line in the --keywords file)");
        }
        this.keywords = List.copyOf(clean);
        // Longest first so a multi-word keyword wins over its prefix in the reported match.
        List<String> sorted = new ArrayList<>(clean);
        sorted.sort(Comparator.comparingInt(String::length).reversed());
        StringBuilder re = new StringBuilder("(?<![\\p{L}\\p{N}])(?:");
        for (int i = 0; i < sorted.size(); i++) {
            re.append(i == 0 ? "" : "|").append(Pattern.quote(sorted.get(i)));
        }
        re.append(")(?![\\p{L}\\p{N}])");
        this.pattern = Pattern.compile(re.toString(), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
    }

    public static KeywordSelector fromFile(Path file) {
        List<String> ks = new ArrayList<>();
        if (!java.nio.file.Files.isRegularFile(file)) {
            throw new UserError(file + ": keywords file not found (one keyword a line)");
        }
        for (String line : MitigationData.lines(file)) {
            String l = line.strip();
            if (!l.isEmpty() && !l.startsWith("#")) {
                ks.add(l);
            }
        }
        if (ks.isEmpty()) {
            throw new UserError(file + ": no keywords (one keyword a line; '#' starts a comment)");
        }
        return new KeywordSelector(ks);
    }

    public List<String> keywords() {
        return keywords;
    }

    /** The first keyword the example mentions (lower case), or null. */
    public String match(IftExample e) {
        for (String field : new String[] {e.instruction(), e.input(), e.output()}) {
            if (field != null) {
                var m = pattern.matcher(field);
                if (m.find()) {
                    return m.group().toLowerCase(Locale.ROOT);
                }
            }
        }
        return null;
    }

    @Override
    public FilterResult select(List<IftExample> examples) {
        List<IftExample> kept = new ArrayList<>();
        List<IftExample> dropped = new ArrayList<>();
        for (IftExample e : examples) {
            (match(e) == null ? kept : dropped).add(e);
        }
        return new FilterResult("keyword", kept, dropped, null, Double.NaN);
    }
}
