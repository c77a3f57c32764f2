package cpi.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import cpi.util.Djl;
import cpi.util.UserError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorFileTest {
    @TempDir
    Path dir;

    @Test
    void roundTripsAndRejectsTruncation() throws Exception {
        Djl.engine();
        try (NDManager m = NDManager.newBaseManager()) {
            LinkedHashMap<String, NDArray> t = new LinkedHashMap<>();
            t.put("a.weight", m.randomNormal(new Shape(3, 4)));
            t.put("b", m.create(new float[] {1, 2, Float.MIN_VALUE}));
            Path f = dir.resolve("x.safetensors");
            TensorFile.write(f, t, Map.of("format", "pt"));
            var back = TensorFile.read(f, m);
            assertEquals(t.keySet(), back.keySet());
            for (String k : t.keySet()) {
                assertArrayEquals(t.get(k).toFloatArray(), back.get(k).toFloatArray());
                assertEquals(t.get(k).getShape(), back.get(k).getShape());
            }
            byte[] all = Files.readAllBytes(f);
            Files.write(f, java.util.Arrays.copyOf(all, all.length - 3));
            assertThrows(UserError.class, () -> TensorFile.read(f, m));
        }
    }
}
