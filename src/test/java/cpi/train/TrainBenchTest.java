package cpi.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainBenchTest {
    @Test
    void reportsTokensPerSecondForEveryMode() {
        Map<TrainMode, Double> r = TrainBench.run(TinyModels.llama(), 16, 2, 1);
        assertEquals(3, r.size());
        r.values().forEach(v -> assertTrue(v > 0 && Double.isFinite(v)));
    }
}
