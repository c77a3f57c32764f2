package cpi.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import cpi.util.Djl;
import cpi.util.Json;
import java.nio.file.Path;

/** Shared helpers for the model tests. */
final class ModelTestSupport {
    static final Path REFERENCE = Path.of("src/test/resources/reference");
    static final Path SHARED_MODELS = Path.of("../shared/models");

    private ModelTestSupport() {}

    static NDManager manager() {
        Djl.engine();
        return NDManager.newBaseManager();
    }

    static long[][] inputIds(Path dir) {
        JsonNode ids = Json.read(dir.resolve("input_ids.json")).get("input_ids");
        long[][] out = new long[ids.size()][];
        for (int i = 0; i < ids.size(); i++) {
            out[i] = new long[ids.get(i).size()];
            for (int j = 0; j < out[i].length; j++) {
                out[i][j] = ids.get(i).get(j).asLong();
            }
        }
        return out;
    }

    static NDArray ids(NDManager m, long[][] rows) {
        int b = rows.length;
        int t = rows[0].length;
        long[] flat = new long[b * t];
        for (int i = 0; i < b; i++) {
            System.arraycopy(rows[i], 0, flat, i * t, t);
        }
        return m.create(flat, new Shape(b, t));
    }

    static float maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new AssertionError("length " + a.length + " != " + b.length);
        }
        float max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
