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

    /** Number of paraphrase templates for a fact. */
    public static final int PARAPHRASES = 3;

    private Phrasing() {}

    /** A fact in paraphrase k: "the R of S is O ." / "S has R O ." / "for S the R is O .". */
    public static String fact(int k, String relation, String subject, String object) {
        return switch (k) {
            case 0 -> "the " + relation + " of " + subject + " is " + object + " .";
            case 1 -> subject + " has " + relation + " " + object + " .";
            default -> "for " + subject + " the " + relation + " is " + object + " .";
        };
    }

    public static String fact(RandomGenerator rng, String relation, String subject, String object) {
        return fact(rng.nextInt(PARAPHRASES), relation, subject, object);
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
