package cpi.eval;

import cpi.data.ConflictItem;
import cpi.data.Dataset;
import cpi.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A synthetic conflict set with a known answer pattern: item N's context says CFN, memory says PARN.
 * A "model" following {@link #answer(int)} makes item N%5 in {0,1} context, 2 parametric, 3 both, 4 other,
 * so contains gives cf 0.6, par 0.4, other 0.2 when n is a multiple of 5. Log-likelihoods favour CF for
 * N%5 in {0,1,3}, PAR for 2, and tie for 4 (logprob: cf 0.6, par 0.2, other 0.2).
 */
final class Synthetic {
    static final Pattern ITEM = Pattern.compile("(?i)item (\\d+)");

    private Synthetic() {}

    static Dataset dataset(int n) {
        List<ConflictItem> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            items.add(new ConflictItem("item-" + i, "synthetic", "What is item " + i + "?", "Item " + i + " is CF" + i
                    + ".", "CF" + i, "PAR" + i, List.of(), i % 2 == 0 ? "even" : "odd"));
        }
        return new Dataset("synth", "0123abcd", items);
    }

    static Path writeJsonl(Path file, int n) throws IOException {
        StringBuilder b = new StringBuilder();
        for (ConflictItem it : dataset(n).items()) {
            b.append(Json.write(Json.object().put("id", it.id()).put("question", it.question())
                    .put("context", it.context()).put("counterfactual_answer", it.counterfactualAnswer())
                    .put("parametric_answer", it.parametricAnswer()).put("stratum", it.stratum()))).append('\n');
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, b.toString());
        return file;
    }

    /** The item number a prompt is about (the last "item N" in it), or -1. */
    static int itemOf(String prompt) {
        Matcher m = ITEM.matcher(prompt);
        int n = -1;
        while (m.find()) {
            n = Integer.parseInt(m.group(1));
        }
        return n;
    }

    static String answer(int n) {
        return switch (n % 5) {
            case 0, 1 -> " CF" + n;
            case 2 -> " PAR" + n;
            case 3 -> " PAR" + n + " or maybe CF" + n;
            default -> " I do not know";
        };
    }

    /** Log-probability of one continuation token under the pattern. */
    static double tokenLogprob(int n, String token) {
        String t = token.strip();
        boolean cfWins = n % 5 == 0 || n % 5 == 1 || n % 5 == 3;
        if (t.startsWith("CF")) {
            return cfWins ? -0.1 : -3.0;
        }
        if (t.startsWith("PAR")) {
            return n % 5 == 2 ? -0.1 : -3.0;
        }
        return -1.0;
    }
}
