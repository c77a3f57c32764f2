package cpi.train;

import cpi.eval.PromptTemplate;
import cpi.model.Tokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/** Test helpers: a whitespace word tokenizer with a growing vocabulary and a tiny plain template. */
final class TestText {
    private TestText() {}

    static final PromptTemplate PLAIN = new PromptTemplate() {
        @Override
        public String name() {
            return "plain";
        }

        @Override
        public String prompt(String instruction, String input) {
            return (input == null || input.isBlank() ? "" : input + "\n") + "Q: " + instruction + "\nA:";
        }

        @Override
        public String target(String answer) {
            return " " + answer;
        }

        @Override
        public List<String> stopStrings() {
            return List.of("\n");
        }
    };

    /** Words (split on spaces and newlines, which become their own tokens) mapped to ids modulo vocab. */
    static final class WordTok implements Tokenizer {
        private final int vocab;
        private final Map<String, Integer> ids = new LinkedHashMap<>();
        private final List<String> words = new ArrayList<>();
        private final boolean bos;

        WordTok(int vocab, boolean bos) {
            this.vocab = vocab;
            this.bos = bos;
            id("<bos>");
            id("<eos>");
        }

        private int id(String w) {
            return ids.computeIfAbsent(w, k -> {
                words.add(k);
                return (words.size() - 1) % vocab;
            });
        }

        @Override
        public int[] encode(String text) {
            List<Integer> out = new ArrayList<>();
            StringBuilder cur = new StringBuilder();
            for (char c : text.toCharArray()) {
                if (c == ' ' || c == '\n') {
                    if (cur.length() > 0) {
                        out.add(id(cur.toString()));
                        cur.setLength(0);
                    }
                    if (c == '\n') {
                        out.add(id("\n"));
                    }
                } else {
                    cur.append(c);
                }
            }
            if (cur.length() > 0) {
                out.add(id(cur.toString()));
            }
            return out.stream().mapToInt(Integer::intValue).toArray();
        }

        @Override
        public String decode(int[] t) {
            StringBuilder sb = new StringBuilder();
            for (int i : t) {
                sb.append(i < words.size() ? words.get(i) : "?").append(' ');
            }
            return sb.toString().strip();
        }

        @Override
        public int vocabSize() {
            return vocab;
        }

        @Override
        public OptionalInt bosId() {
            return bos ? OptionalInt.of(0) : OptionalInt.empty();
        }

        @Override
        public OptionalInt eosId() {
            return OptionalInt.of(1);
        }

        @Override
        public int padId() {
            return 1;
        }

        @Override
        public Optional<String> chatTemplate() {
            return Optional.empty();
        }

        @Override
        public void saveTo(Path directory) {
            // nothing to save: checkpoints of test models carry no tokenizer files
        }
    }
}
