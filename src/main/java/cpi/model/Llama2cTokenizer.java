package cpi.model;

import cpi.util.AtomicFiles;
import cpi.util.UserError;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * llama2.c's tokenizer.bin (int32 max_token_length, then per token: float32 score, int32 length,
 * bytes), encoded the way run.c does: a dummy-prefix space, one token per UTF-8 character (bytes as
 * {@code <0xXX>} ids 3..258 when a character is not in the vocabulary), then repeated merging of the
 * adjacent pair whose merged string has the highest score. Ids 1 and 2 are bos and eos. Decoding drops
 * the leading space of the first piece (the dummy prefix), as SentencePiece does.
 */
public final class Llama2cTokenizer implements Tokenizer {
    private final Path file;
    private final String[] pieces;
    private final byte[][] pieceBytes;
    private final float[] scores;
    private final Map<String, Integer> ids = new HashMap<>();

    private Llama2cTokenizer(Path file, String[] pieces, byte[][] pieceBytes, float[] scores) {
        this.file = file;
        this.pieces = pieces;
        this.pieceBytes = pieceBytes;
        this.scores = scores;
        for (int i = 0; i < pieces.length; i++) {
            ids.putIfAbsent(pieces[i], i);
        }
    }

    /** Reads a tokenizer.bin with {@code vocabSize} entries (the model header's vocab_size). */
    public static Llama2cTokenizer load(Path file, int vocabSize) {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UserError(file + ": cannot read the llama2.c tokenizer (" + e.getMessage() + ")");
        }
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        String[] pieces = new String[vocabSize];
        byte[][] bytes = new byte[vocabSize][];
        float[] scores = new float[vocabSize];
        try {
            b.getInt(); // max_token_length
            for (int i = 0; i < vocabSize; i++) {
                scores[i] = b.getFloat();
                int len = b.getInt();
                if (len < 0 || len > b.remaining()) {
                    throw new UserError(file + ": corrupt llama2.c tokenizer (token " + i + " has length " + len + ")");
                }
                bytes[i] = new byte[len];
                b.get(bytes[i]);
                pieces[i] = new String(bytes[i], StandardCharsets.UTF_8);
            }
        } catch (java.nio.BufferUnderflowException e) {
            throw new UserError(file + ": truncated llama2.c tokenizer (fewer than " + vocabSize
                    + " tokens; does it belong to this model?)");
        }
        return new Llama2cTokenizer(file, pieces, bytes, scores);
    }

    /** tokenizer.bin or tok{vocab}.bin next to a llama2.c checkpoint, if present. */
    static Optional<Path> find(Path modelBin, int vocabSize) {
        Path dir = modelBin.toAbsolutePath().getParent();
        for (String name : new String[] {"tokenizer.bin", "tok" + vocabSize + ".bin"}) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p) && !p.equals(modelBin.toAbsolutePath())) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** Yes: its tables are read-only after loading. */
    @Override
    public boolean threadSafe() {
        return true;
    }

    @Override
    public int[] encode(String text) {
        if (text.isEmpty()) {
            return new int[0];
        }
        List<Integer> tokens = new ArrayList<>();
        Integer prefix = ids.get(" ");
        if (prefix != null) {
            tokens.add(prefix);
        }
        int i = 0;
        while (i < text.length()) {
            int cp = text.codePointAt(i);
            String ch = new String(Character.toChars(cp));
            i += Character.charCount(cp);
            Integer id = ids.get(ch);
            if (id != null) {
                tokens.add(id);
            } else {
                for (byte by : ch.getBytes(StandardCharsets.UTF_8)) {
                    tokens.add((by & 0xFF) + 3); // byte fallback: <0x00> is id 3
                }
            }
        }
        while (true) {
            float best = -1e10f;
            int bestId = -1;
            int bestIdx = -1;
            for (int k = 0; k + 1 < tokens.size(); k++) {
                Integer merged = ids.get(pieces[tokens.get(k)] + pieces[tokens.get(k + 1)]);
                if (merged != null && scores[merged] > best) {
                    best = scores[merged];
                    bestId = merged;
                    bestIdx = k;
                }
            }
            if (bestIdx < 0) {
                break;
            }
            tokens.set(bestIdx, bestId);
            tokens.remove(bestIdx + 1);
        }
        return tokens.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public String decode(int[] tokenIds) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int k = 0; k < tokenIds.length; k++) {
            int id = tokenIds[k];
            if (id < 0 || id >= pieces.length) {
                continue;
            }
            String p = pieces[id];
            if (p.length() == 6 && p.startsWith("<0x") && p.endsWith(">")) {
                out.write(Integer.parseInt(p.substring(3, 5), 16));
                continue;
            }
            byte[] bytes = pieceBytes[id];
            int from = k == 0 && bytes.length > 0 && bytes[0] == ' ' ? 1 : 0;
            out.write(bytes, from, bytes.length - from);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override
    public int vocabSize() {
        return pieces.length;
    }

    @Override
    public OptionalInt bosId() {
        return OptionalInt.of(1);
    }

    @Override
    public OptionalInt eosId() {
        return OptionalInt.of(2);
    }

    @Override
    public int padId() {
        return 2;
    }

    @Override
    public Optional<String> chatTemplate() {
        return Optional.empty();
    }

    /** Copies tokenizer.bin into the directory (cpi loads it when a directory has no tokenizer.json). */
    @Override
    public void saveTo(Path directory) {
        Path target = directory.resolve("tokenizer.bin");
        if (target.toAbsolutePath().equals(file.toAbsolutePath())) {
            return;
        }
        AtomicFiles.write(target, tmp -> Files.copy(file, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING));
    }
}
