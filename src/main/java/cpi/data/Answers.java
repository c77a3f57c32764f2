package cpi.data;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Answer strings as the data has them, turned into what a scorer can match: notes such as
 * "La Paz (administrative); Sucre (judicial)" become the alternatives [La Paz, Sucre]; "Rangoon (Yangon)"
 * becomes [Rangoon, Yangon]; text is normalised for case, accents, punctuation and articles.
 */
public final class Answers {
    private static final Pattern PAREN = Pattern.compile("\\(([^()]*)\\)");
    private static final Pattern OR = Pattern.compile("\\s+or\\s+");
    private static final Pattern PLACE_COUNTRY = Pattern.compile("^([^,\\d][^,]*),\\s+(\\p{Lu}[^,]*)$");
    private static final Set<String> ARTICLES = Set.of("a", "an", "the");

    private Answers() {}

    /** True when an answer holds more than one alternative or a note ("X (administrative); Y"). */
    public static boolean isNonAtomic(String answer) {
        return answer.contains(";") || answer.contains("(") || OR.matcher(answer).find();
    }

    /**
     * The alternatives an answer stands for: split on ";" and " or ", parenthesised notes dropped unless they
     * are a capitalised other name, "Athens, Greece" also as "Athens". Never empty for a non-blank answer.
     */
    public static List<String> alternatives(String answer) {
        Set<String> out = new LinkedHashSet<>();
        for (String part : answer.split(";")) {
            for (String piece : OR.split(part)) {
                Matcher m = PAREN.matcher(piece);
                StringBuilder main = new StringBuilder();
                int last = 0;
                List<String> inner = new ArrayList<>();
                while (m.find()) {
                    main.append(piece, last, m.start());
                    last = m.end();
                    String note = m.group(1).strip();
                    if (!note.isEmpty() && Character.isUpperCase(note.codePointAt(0))
                            && note.split("\\s+").length <= 4) {
                        inner.add(note);
                    }
                }
                main.append(piece.substring(last));
                String core = trimPunct(main.toString());
                if (!core.isEmpty()) {
                    out.add(core);
                    Matcher pc = PLACE_COUNTRY.matcher(core);
                    if (pc.matches()) {
                        out.add(pc.group(1).strip());
                    }
                }
                for (String i : inner) {
                    out.add(trimPunct(i));
                }
            }
        }
        out.remove("");
        if (out.isEmpty() && !answer.isBlank()) {
            out.add(answer.strip());
        }
        return List.copyOf(out);
    }

    /** Lower case, accents removed (Brasília → brasilia), punctuation → space, articles dropped, spaces collapsed. */
    public static String normalize(String s) {
        String d = Normalizer.normalize(s, Normalizer.Form.NFD).replaceAll("\\p{M}+", "");
        d = d.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}]+", " ");
        StringBuilder b = new StringBuilder();
        for (String w : d.strip().split(" ")) {
            if (w.isEmpty() || ARTICLES.contains(w)) {
                continue;
            }
            if (b.length() > 0) {
                b.append(' ');
            }
            b.append(w);
        }
        return b.toString();
    }

    /**
     * Where a normalised answer first occurs in a normalised text as whole words ("paris" is not found in
     * "parisian"), as a word index into the text; -1 when absent or when the answer normalises to nothing.
     */
    public static int wordPosition(String normText, String normAnswer) {
        if (normAnswer.isEmpty()) {
            return -1;
        }
        String t = " " + normText + " ";
        int at = t.indexOf(" " + normAnswer + " ");
        if (at < 0) {
            return -1;
        }
        int words = 0;
        for (int i = 0; i < at; i++) {
            if (t.charAt(i) == ' ') {
                words++;
            }
        }
        return words;
    }

    private static String trimPunct(String s) {
        return s.strip().replaceAll("^[\\p{Punct}\\s]+|[\\p{Punct}&&[^)\\]'\"]]+$", "").strip();
    }
}
