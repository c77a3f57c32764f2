package cpi.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import cpi.util.Djl;
import cpi.util.Json;
import cpi.util.UserError;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutation fuzzing of the two weight-file parsers (issue 9): 10,000 mutated inputs each, built
 * from a small valid file. Every input must either load or fail with a {@link UserError} (the one-line
 * error the CLI prints); any other exception, or a hang, is a bug. Mutations mix blind byte damage
 * (bit flips, truncation, garbage) with structure-aware lies (header length, JSON offsets, shapes,
 * dtypes, llama2.c header integers at their extremes), which reach the deeper checks.
 */
class ParserFuzzTest {
    static final int INPUTS = 10_000;
    static NDManager manager;

    @TempDir
    Path dir;

    /** Where mutated inputs go: RAM (/dev/shm) when there is one, so 10,000 writes take no disk time. */
    private Path scratchDir() throws IOException {
        Path shm = Path.of("/dev/shm");
        if (Files.isDirectory(shm) && Files.isWritable(shm)) {
            Path d = Files.createTempDirectory(shm, "cpi-fuzz-");
            d.toFile().deleteOnExit();
            return d;
        }
        return dir;
    }

    /**
     * Runs one input from its own fresh file, deleted afterwards: the parsers memory-map files and a
     * mapping lives until garbage collection, so rewriting one file in place gets slower every time.
     */
    private static void runInput(Tally tally, Path scratch, int i, byte[] input, String what,
                                 java.util.function.Consumer<Path> parse) throws IOException {
        Path f = scratch.resolve("input-" + i);
        Files.write(f, input);
        try {
            tally.run(what, () -> parse.accept(f));
        } finally {
            Files.deleteIfExists(f);
        }
    }

    @BeforeAll
    static void setUp() {
        Djl.engine();
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void tearDown() {
        manager.close();
    }

    /** Outcome counts plus the first few unexpected exceptions (with the mutation that caused them). */
    static final class Tally {
        int loaded;
        int userErrors;
        final List<String> bugs = new ArrayList<>();
        final java.util.Set<String> kinds = new java.util.HashSet<>();

        void run(String mutation, Runnable body) {
            try {
                body.run();
                loaded++;
            } catch (UserError e) {
                userErrors++;
                if (e.getMessage() == null || e.getMessage().isBlank() || e.getMessage().contains("\n")) {
                    bugs.add(mutation + ": UserError without a one-line message: " + e.getMessage());
                }
            } catch (RuntimeException | Error e) {
                // one example per kind of failure (exception class + its first words)
                String msg = String.valueOf(e.getMessage());
                String key = e.getClass().getName() + ": " + msg.substring(0, Math.min(30, msg.length()));
                if (kinds.add(key)) {
                    bugs.add(mutation + ": " + e);
                }
            }
        }
    }

    // ------------------------------------------------------------------ safetensors

    static byte[] floatBytes(float... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return b.array();
    }

    static byte[] shortBytes(int n, int value) {
        ByteBuffer b = ByteBuffer.allocate(n * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            b.putShort((short) value);
        }
        return b.array();
    }

    private byte[] validSafetensors() throws IOException {
        Path f = dir.resolve("base.safetensors");
        Safetensors.write(f, List.of(
                new Safetensors.Pending("a.weight", "F32", new long[] {2, 3}, () -> floatBytes(1, 2, 3, 4, 5, 6)),
                new Safetensors.Pending("b.bias", "F16", new long[] {4}, () -> shortBytes(4, 0x3C00)),
                new Safetensors.Pending("c.weight", "BF16", new long[] {2, 2}, () -> shortBytes(4, 0x3F80)),
                new Safetensors.Pending("d.empty", "F32", new long[] {0, 3}, () -> new byte[0])));
        return Files.readAllBytes(f);
    }

    private static long pick(SplittableRandom r, long valid) {
        long[] special = {0, 1, -1, 2, 7, 8, valid - 1, valid + 1, valid * 2, Integer.MAX_VALUE, Long.MAX_VALUE,
            Long.MIN_VALUE, 1L << 32, 1L << 40, -(1L << 33)};
        return r.nextBoolean() ? special[r.nextInt(special.length)] : r.nextLong(-1000, 1000);
    }

    /** A structure-aware edit of the JSON header; the data section is kept (header length recomputed). */
    private static byte[] mutateHeader(byte[] base, SplittableRandom r, StringBuilder what) {
        ByteBuffer bb = ByteBuffer.wrap(base).order(ByteOrder.LITTLE_ENDIAN);
        int hl = (int) bb.getLong(0);
        ObjectNode header;
        try {
            header = (ObjectNode) Json.MAPPER.readTree(new String(base, 8, hl, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        List<String> names = new ArrayList<>();
        header.fieldNames().forEachRemaining(names::add);
        String name = names.get(r.nextInt(names.size()));
        JsonNode node = header.get(name);
        int kind = r.nextInt(9);
        what.append("header ").append(name).append(" edit ").append(kind);
        if (name.equals("__metadata__") || !(node instanceof ObjectNode t)) {
            if (r.nextBoolean()) {
                header.put(name, r.nextInt(5)); // metadata becomes a number
            } else {
                header.putObject(name).putArray("format").add(1); // metadata values that are not strings
            }
        } else {
            switch (kind) {
                case 0 -> ((ArrayNode) t.get("data_offsets")).set(r.nextInt(2), Json.MAPPER.getNodeFactory()
                        .numberNode(pick(r, t.get("data_offsets").get(1).asLong())));
                case 1 -> {
                    ArrayNode s = (ArrayNode) t.get("shape");
                    if (s.size() > 0) {
                        s.set(r.nextInt(s.size()), Json.MAPPER.getNodeFactory().numberNode(pick(r, s.get(0).asLong())));
                    } else {
                        s.add(pick(r, 1));
                    }
                }
                case 2 -> ((ArrayNode) t.get("shape")).add(pick(r, 2));
                case 3 -> t.put("dtype", new String[] {"F64", "I64", "U8", "BOOL", "", "f32", "F8_E4M3", "BF16", "F16",
                    "F32"}[r.nextInt(10)]);
                case 4 -> t.remove(new String[] {"dtype", "shape", "data_offsets"}[r.nextInt(3)]);
                case 5 -> t.put(new String[] {"dtype", "shape", "data_offsets"}[r.nextInt(3)],
                        new String[] {"x", "[1,2]", "{}", "-1"}[r.nextInt(4)]);
                case 6 -> t.putArray("data_offsets").add(pick(r, 8));
                case 7 -> t.putArray("shape").add(1L << 31).add(1L << 31).add(1L << 31);
                default -> header.remove(name);
            }
        }
        byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[8 + json.length + base.length - 8 - hl];
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putLong(0, json.length);
        System.arraycopy(json, 0, out, 8, json.length);
        System.arraycopy(base, 8 + hl, out, 8 + json.length, base.length - 8 - hl);
        return out;
    }

    /** Blind byte damage: bit flips, truncation, garbage, a lying length prefix, splices. */
    static byte[] mutateBytes(byte[] base, SplittableRandom r, StringBuilder what, int headerEnd) {
        byte[] b = base.clone();
        int kind = r.nextInt(7);
        what.append("bytes ").append(kind);
        switch (kind) {
            case 0 -> {
                int flips = 1 + r.nextInt(8);
                for (int i = 0; i < flips; i++) {
                    // Mostly the header, where a flip changes the structure; a flip in the data only changes a
                    // value (it loads, slowly, and finds nothing), so those are kept rare.
                    int at = r.nextInt(20) == 0 ? r.nextInt(b.length) : r.nextInt(Math.min(b.length, headerEnd));
                    b[at] ^= (byte) (1 << r.nextInt(8));
                }
            }
            case 1 -> b = Arrays.copyOf(b, r.nextInt(b.length));
            case 2 -> {
                b = Arrays.copyOf(b, b.length + 1 + r.nextInt(64));
                for (int i = base.length; i < b.length; i++) {
                    b[i] = (byte) r.nextInt(256);
                }
            }
            case 3 -> ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, pick(r, headerEnd - 8));
            case 4 -> {
                int at = r.nextInt(20) == 0 ? r.nextInt(b.length) : r.nextInt(Math.min(b.length, headerEnd));
                int len = Math.min(b.length - at, 1 + r.nextInt(16));
                for (int i = 0; i < len; i++) {
                    b[at + i] = (byte) r.nextInt(256);
                }
            }
            case 5 -> {
                int at = r.nextInt(Math.min(b.length, headerEnd));
                byte[] c = new byte[b.length - 1];
                System.arraycopy(b, 0, c, 0, at);
                System.arraycopy(b, at + 1, c, at, b.length - at - 1);
                b = c;
            }
            default -> {
                int at = 8 + r.nextInt(Math.max(1, Math.min(b.length, headerEnd) - 8));
                byte[] junk = "{}[],:\"0-e\\ \u0000\u00ff".getBytes(StandardCharsets.ISO_8859_1);
                b[Math.min(at, b.length - 1)] = junk[r.nextInt(junk.length)];
            }
        }
        return b;
    }

    @Test
    void safetensorsReaderOnlyEverThrowsUserErrors() throws IOException {
        byte[] base = validSafetensors();
        int headerEnd = 8 + (int) ByteBuffer.wrap(base).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        Path scratch = scratchDir();
        SplittableRandom r = new SplittableRandom(20261129L);
        Tally tally = new Tally();
        for (int i = 0; i < INPUTS; i++) {
            StringBuilder what = new StringBuilder("input " + i + ": ");
            byte[] input = r.nextInt(2) == 0 ? mutateHeader(base, r, what) : mutateBytes(base, r, what, headerEnd);
            if (r.nextInt(8) == 0) { // a second mutation on top
                what.append(" + ");
                input = mutateBytes(input, r, what, Math.max(9, Math.min(input.length, headerEnd)));
            }
            runInput(tally, scratch, i, input, what.toString(), file -> {
                try (Safetensors.Reader reader = Safetensors.Reader.open(file); NDManager m = manager.newSubManager()) {
                    for (String name : reader.names()) {
                        reader.readFloat32(name, m);
                    }
                }
            });
        }
        assertEquals(List.of(), tally.bugs, "exceptions other than UserError");
        assertEquals(INPUTS, tally.loaded + tally.userErrors);
        assertTrue(tally.userErrors > INPUTS / 3, "most mutations are caught: " + tally.userErrors);
        assertTrue(tally.loaded > 100, "some mutations still load (flipped values): " + tally.loaded);
    }

    // ------------------------------------------------------------------ llama2.c

    /** A tiny valid llama2.c legacy file: dim 8, hidden 12, 1 layer, 2 heads / 1 kv head, vocab 10, seq 4. */
    static byte[] validLlama2c(boolean shared) {
        int dim = 8;
        int hidden = 12;
        int layers = 1;
        int heads = 2;
        int kv = 1;
        int vocab = 10;
        int seq = 4;
        int head = dim / heads;
        int floats = vocab * dim + layers * dim * 2 + layers * dim * dim * 2 + layers * kv * head * dim * 2
                + layers * hidden * dim * 3 + dim + seq * head + (shared ? 0 : vocab * dim);
        ByteBuffer b = ByteBuffer.allocate(28 + floats * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(dim).putInt(hidden).putInt(layers).putInt(heads).putInt(kv).putInt(shared ? vocab : -vocab).putInt(seq);
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < floats; i++) {
            b.putFloat((float) r.nextDouble(-0.5, 0.5));
        }
        return b.array();
    }

    static byte[] mutateLlama2c(byte[] base, SplittableRandom r, StringBuilder what) {
        int kind = r.nextInt(10);
        if (kind < 5) { // a header integer at an extreme or a nearby value
            byte[] b = base.clone();
            ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
            int field = r.nextInt(7);
            int old = bb.getInt(field * 4);
            int[] special = {0, -1, 1, 2, 3, old + 1, old - 1, old * 2, -old, Integer.MAX_VALUE, Integer.MIN_VALUE,
                1 << 16, 1 << 20, 46341, 65536, 1 << 30};
            int v = r.nextBoolean() ? special[r.nextInt(special.length)] : r.nextInt(-64, 64);
            bb.putInt(field * 4, v);
            if (r.nextInt(4) == 0) { // two fields at once
                bb.putInt(r.nextInt(7) * 4, special[r.nextInt(special.length)]);
            }
            what.append("header field ").append(field).append(" = ").append(v);
            return b;
        }
        what.append("llama2c ");
        return mutateBytes(base, r, what, 28 + 8);
    }

    @Test
    void llama2cImporterOnlyEverThrowsUserErrors() throws IOException {
        byte[][] bases = {validLlama2c(true), validLlama2c(false)};
        Path scratch = scratchDir();
        SplittableRandom r = new SplittableRandom(20261130L);
        Tally tally = new Tally();
        for (int i = 0; i < INPUTS; i++) {
            StringBuilder what = new StringBuilder("input " + i + ": ");
            byte[] input = mutateLlama2c(bases[r.nextInt(2)], r, what);
            runInput(tally, scratch, i, input, what.toString(), file -> {
                try (NDManager m = manager.newSubManager()) {
                    Llama2c.load(file, m).close();
                }
            });
        }
        assertEquals(List.of(), tally.bugs, "exceptions other than UserError");
        assertEquals(INPUTS, tally.loaded + tally.userErrors);
        assertTrue(tally.userErrors > INPUTS / 3, "most mutations are caught: " + tally.userErrors);
        assertTrue(tally.loaded > 100, "some mutations still load: " + tally.loaded);
    }

    @Test
    void validBasesLoad() throws IOException {
        Path f = dir.resolve("ok.bin");
        for (boolean shared : new boolean[] {true, false}) {
            Files.write(f, validLlama2c(shared));
            try (NDManager m = manager.newSubManager(); LoadedModel lm = Llama2c.load(f, m)) {
                assertEquals(10, lm.config().vocabSize());
            }
        }
        Path s = dir.resolve("ok.safetensors");
        Files.write(s, validSafetensors());
        try (Safetensors.Reader reader = Safetensors.Reader.open(s)) {
            assertEquals(List.of("a.weight", "b.bias", "c.weight", "d.empty"), new ArrayList<>(reader.names()));
        }
        Iterator<String> unused = List.<String>of().iterator();
        assertTrue(!unused.hasNext());
    }
}
