package cpi.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cpi.util.UserError;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** run.c's tokenizer semantics on a small hand-made tokenizer.bin (stories260K ships without one). */
class Llama2cTokenizerTest {

    static Path write(Path file, List<String> pieces, List<Float> scores) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer head = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 8);
        out.write(head.array());
        for (int i = 0; i < pieces.size(); i++) {
            byte[] b = pieces.get(i).getBytes(StandardCharsets.UTF_8);
            ByteBuffer e = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            e.putFloat(0, scores.get(i)).putInt(4, b.length);
            out.write(e.array());
            out.write(b);
        }
        Files.write(file, out.toByteArray());
        return file;
    }

    static List<String> pieces() {
        List<String> p = new ArrayList<>(List.of("<unk>", "\n<s>\n", "\n</s>\n"));
        for (int i = 0; i < 256; i++) {
            p.add(String.format("<0x%02X>", i));
        }
        p.addAll(List.of(" ", "h", "i", " h", "hi", " hi", "!")); // 259..265
        return p;
    }

    static List<Float> scores() {
        List<Float> s = new ArrayList<>();
        for (int i = 0; i < 259; i++) {
            s.add(0f);
        }
        s.addAll(List.of(0f, 0f, 0f, -5f, -1f, -2f, 0f));
        return s;
    }

    @Test
    void encodesLikeRunC(@TempDir Path tmp) throws IOException {
        Path f = write(tmp.resolve("tokenizer.bin"), pieces(), scores());
        Llama2cTokenizer tok = Llama2cTokenizer.load(f, 266);
        // " " h i ! -> best merge "hi" (-1) -> " hi" (-2)
        assertArrayEquals(new int[] {264, 265}, tok.encode("hi!"));
        assertEquals("hi!", tok.decode(tok.encode("hi!")));
        // é is not in the vocabulary: UTF-8 bytes c3 a9 as byte tokens (id = byte + 3)
        int[] ids = tok.encode("hé");
        assertArrayEquals(new int[] {262, 0xC3 + 3, 0xA9 + 3}, ids);
        assertEquals("hé", tok.decode(ids));
        assertEquals(0, tok.encode("").length);
        assertEquals(266, tok.vocabSize());
        assertEquals(1, tok.bosId().getAsInt());
        assertEquals(2, tok.eosId().getAsInt());
        assertTrue(Llama2cTokenizer.find(tmp.resolve("model.bin"), 266).isPresent());
    }

    @Test
    void truncatedTokenizerIsAUserError(@TempDir Path tmp) throws IOException {
        Path f = write(tmp.resolve("tokenizer.bin"), pieces(), scores());
        UserError e = assertThrows(UserError.class, () -> Llama2cTokenizer.load(f, 512));
        assertTrue(e.getMessage().contains("tokenizer.bin") && e.getMessage().contains("truncated"), e.getMessage());
    }
}
