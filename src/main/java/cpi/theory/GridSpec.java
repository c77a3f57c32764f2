package cpi.theory;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import cpi.util.Json;

/**
 * The axes of {@code cpi theory --grid}. c_ratio is the share of C points among the context points:
 * with n = c-points + cs-points of the base parameters, a cell has round(c_ratio·n) C points and the rest
 * C+S points (1.0 is the no-C+S control).
 */
public record GridSpec(double[] deltaC, double[] deltaM, double[] lr, double[] cRatio) {

    /** δ_C ∈ {0.1, 0.2}, δ_M ∈ {0.6, 0.9, 0.99}, η ∈ {2, 10} (digest §5.9) × c_ratio ∈ {0.25, 0.5, 0.75, 1}. */
    public static GridSpec defaults() {
        return new GridSpec(new double[] {0.1, 0.2}, new double[] {0.6, 0.9, 0.99}, new double[] {2, 10},
                new double[] {0.25, 0.5, 0.75, 1.0});
    }

    public int size() {
        return deltaC.length * deltaM.length * lr.length * cRatio.length;
    }

    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        put(o.putArray("delta_c"), deltaC);
        put(o.putArray("delta_m"), deltaM);
        put(o.putArray("lr"), lr);
        put(o.putArray("c_ratio"), cRatio);
        o.put("c_ratio_meaning", "share of C points among c-points + cs-points");
        return o;
    }

    private static void put(ArrayNode a, double[] xs) {
        for (double x : xs) {
            a.add(x);
        }
    }
}
