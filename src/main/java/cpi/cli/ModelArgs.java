package cpi.cli;

import cpi.util.UserError;
import java.util.Arrays;

/** Parsing helpers shared by the inference commands (generate, score). */
final class ModelArgs {
    private ModelArgs() {}

    /** "1,2,3" or "1 2 3" → ids; a bad entry is a one-line error naming the flag. */
    static int[] parseIds(String flag, String text) {
        String t = text.trim();
        if (t.isEmpty()) {
            return new int[0];
        }
        try {
            return Arrays.stream(t.split("[,\\s]+")).mapToInt(Integer::parseInt).toArray();
        } catch (NumberFormatException e) {
            throw new UserError(flag + ": '" + text + "' is not a list of token ids (write e.g. 1,2,3)");
        }
    }

    static String joinIds(int[] ids) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < ids.length; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(ids[i]);
        }
        return sb.toString();
    }

    static void checkIds(String flag, int[] ids, int vocab) {
        for (int id : ids) {
            if (id < 0 || id >= vocab) {
                throw new UserError(flag + ": token id " + id + " is outside the model's vocabulary [0, " + vocab + ")");
            }
        }
    }
}
