package cpi.mitigate;

import java.util.regex.Pattern;

/**
 * The answer types entity substitution swaps within (Longpre et al.'s corpus substitution, with simple
 * rules instead of an NER tagger): a replacement answer is drawn from the corpus's own answers of the
 * same type, so "1492" becomes another year and "Marie Curie" another capitalised name.
 */
public enum AnswerType {
    DATE, YEAR, NUMBER, NAME, OTHER;

    private static final String MONTH = "(?:January|February|March|April|May|June|July|August|September|October"
            + "|November|December|Jan\\.?|Feb\\.?|Mar\\.?|Apr\\.?|Jun\\.?|Jul\\.?|Aug\\.?|Sept?\\.?|Oct\\.?|Nov\\.?"
            + "|Dec\\.?)";
    private static final Pattern DATE_RE = Pattern.compile(
            MONTH + "\\s+\\d{1,2}(?:st|nd|rd|th)?,?\\s+\\d{3,4}"          // July 4, 1776
            + "|\\d{1,2}(?:st|nd|rd|th)?\\s+(?:of\\s+)?" + MONTH + ",?\\s+\\d{3,4}" // 4 July 1776
            + "|" + MONTH + "\\s+\\d{3,4}"                                    // July 1776
            + "|" + MONTH + "\\s+\\d{1,2}(?:st|nd|rd|th)?"                    // July 4
            + "|\\d{4}-\\d{2}-\\d{2}");                                       // 1776-07-04
    private static final Pattern YEAR_RE = Pattern.compile("(?:1[0-9]|20)\\d{2}(?:s)?");
    private static final Pattern NUMBER_RE = Pattern.compile(
            "[-+]?(?:\\d{1,3}(?:,\\d{3})+|\\d+)(?:\\.\\d+)?%?(?:\\s+(?:million|billion|thousand|hundred))?");
    private static final String CONNECTORS = "of|the|de|da|del|della|di|du|la|le|van|von|der|den|and|y|bin|al";
    private static final Pattern NAME_RE = Pattern.compile(
            "\\p{Lu}[\\p{L}'.\\-]*(?:\\s+(?:(?:" + CONNECTORS + ")\\s+)*\\p{Lu}[\\p{L}'.\\-]*){0,5}");

    /** The type of an answer string (trimmed); OTHER when no rule fits (then it is not substituted). */
    public static AnswerType of(String answer) {
        if (answer == null) {
            return OTHER;
        }
        String a = answer.strip();
        if (a.isEmpty() || a.length() > 60) {
            return OTHER;
        }
        if (DATE_RE.matcher(a).matches()) {
            return DATE;
        }
        if (YEAR_RE.matcher(a).matches()) {
            return YEAR;
        }
        if (NUMBER_RE.matcher(a).matches()) {
            return NUMBER;
        }
        if (NAME_RE.matcher(a).matches()) {
            return NAME;
        }
        return OTHER;
    }
}
