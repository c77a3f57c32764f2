package cpi.model;

import cpi.util.UserError;
import java.util.Arrays;

/**
 * What to do with a prompt that does not fit the model's context window (max positions): cut tokens
 * off its left end with a warning on stderr (the end of a prompt, next to the answer, matters most),
 * or refuse with a one-line error.
 */
public enum ContextPolicy {
    TRUNCATE_LEFT,
    REFUSE;

    /** Parses a CLI value: "truncate" or "refuse". */
    public static ContextPolicy parse(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "truncate", "truncate_left", "truncate-left" -> TRUNCATE_LEFT;
            case "refuse" -> REFUSE;
            default -> throw new UserError("--context-overflow: unknown value '" + s + "' (use truncate or refuse)");
        };
    }

    /**
     * Fits ids into {@code budget} positions: returns ids unchanged when they fit, else the last
     * {@code budget} ids (with a warning) or throws a UserError, by policy.
     */
    public int[] fit(int[] ids, int budget, String what) {
        if (ids.length <= budget) {
            return ids;
        }
        if (this == REFUSE || budget <= 0) {
            throw new UserError(what + " has " + ids.length + " tokens but the model's context leaves room for "
                    + Math.max(budget, 0) + " (shorten it, lower --max-new-tokens, or pass --context-overflow truncate)");
        }
        System.err.println("cpi: warning: " + what + " has " + ids.length + " tokens; keeping the last " + budget
                + " to fit the model's context (--context-overflow refuse to fail instead)");
        return Arrays.copyOfRange(ids, ids.length - budget, ids.length);
    }
}
