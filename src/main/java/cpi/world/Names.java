package cpi.world;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

/** Made-up words from syllables, so no name carries meaning from real text. */
final class Names {
    private static final String[] SYLLABLES = {"ka", "lo", "mi", "ru", "te", "zo", "vi", "na", "pe", "xu",
        "bo", "di", "fa", "gu", "ho", "je", "ly", "qu", "sa", "wo"};

    private Names() {}

    /** n fresh names of the given syllable count, each added to taken. */
    static List<String> draw(Random rng, int n, int syllables, Set<String> taken) {
        List<String> out = new ArrayList<>(n);
        int attempts = 0;
        while (out.size() < n) {
            if (++attempts > 1_000_000) {
                throw new IllegalStateException("cannot draw " + n + " distinct names of " + syllables + " syllables");
            }
            StringBuilder w = new StringBuilder();
            for (int i = 0; i < syllables; i++) {
                w.append(SYLLABLES[rng.nextInt(SYLLABLES.length)]);
            }
            String name = w.toString();
            if (taken.add(name)) {
                out.add(name);
            }
        }
        return out;
    }
}
