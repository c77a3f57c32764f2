package cpi.world;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The world's sentences. Every token is separated by a space so a word-level tokenizer with a
 * whitespace/punctuation pre-tokenizer reads them exactly as written here.
 */
public final class Phrasing {
    public static final List<String> RELATIONS = List.of("capital", "color", "sport", "food", "river", "music");

    /** Function words of the sentences plus the words of the plain template ("Q:", "A:"). */
    public static final List<String> FUNCTION_WORDS = List.of("the", "of", "is", ".", "has", "for", "what", "?",
            "Q", "A", ":");

    /** Paraphrase templates of contexts and of pretraining's document-local facts. */
    public static final int PARAPHRASES = 3;

    /**
     * Templates a known fact may take in pretraining (WorldConfig.knownFactTemplates): the first
     * PARAPHRASES, then five more surface forms.
     */
    public static final int MAX_TEMPLATES = 8;

    /**
     * Words only templates PARAPHRASES.. use. They join the vocabulary (and the words names avoid) only in
     * worlds that use those templates, so the default world's tokenizer and names are unchanged.
     */
    public static final List<String> EXTRA_TEMPLATE_WORDS = List.of(",", "its", "in", "with", "known", "as");

    private Phrasing() {}

    /**
     * A fact in template k: "the R of S is O ." / "S has R O ." / "for S the R is O ." (the paraphrases), then
     * "S , its R is O ." / "in S the R is O ." / "S with R O ." / "S is known for R O ." / "as for S , R O .".
     */
    public static String fact(int k, String relation, String subject, String object) {
        return switch (k) {
            case 0 -> "the " + relation + " of " + subject + " is " + object + " .";
            case 1 -> subject + " has " + relation + " " + object + " .";
            case 2 -> "for " + subject + " the " + relation + " is " + object + " .";
            case 3 -> subject + " , its " + relation + " is " + object + " .";
            case 4 -> "in " + subject + " the " + relation + " is " + object + " .";
            case 5 -> subject + " with " + relation + " " + object + " .";
            case 6 -> subject + " is known for " + relation + " " + object + " .";
            case 7 -> "as for " + subject + " , " + relation + " " + object + " .";
            default -> throw new IllegalArgumentException("template " + k + " of " + MAX_TEMPLATES);
        };
    }

    /** A fact in one of the paraphrases, drawn from rng. */
    public static String fact(RandomGenerator rng, String relation, String subject, String object) {
        return fact(rng, PARAPHRASES, relation, subject, object);
    }

    /** A fact in one of the first {@code templates} templates, drawn from rng. */
    public static String fact(RandomGenerator rng, int templates, String relation, String subject, String object) {
        return fact(rng.nextInt(templates), relation, subject, object);
    }

    /** The IFT / evaluation question. */
    public static String question(String relation, String subject) {
        return "what is the " + relation + " of " + subject + " ?";
    }

    /** The statement form the pretrained model can complete without context ("the R of S is"). */
    public static String statement(String relation, String subject) {
        return "the " + relation + " of " + subject + " is";
    }

    /** Tokens of a world sentence (they are space separated). */
    public static int tokenCount(String sentence) {
        return sentence.split(" ").length;
    }
}
