package cpi.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetricsTest {
    static ItemResult r(boolean cf, boolean par) {
        Judgement j = Judgement.of(cf, par);
        return new ItemResult("i", "d", "s", "p", "o", "a", "b", cf, par, j.label(), ItemResult.OK, null, Double.NaN,
                Double.NaN, "m", "t", "contains");
    }

    @Test
    void pointEstimatesAndBootstrapIntervals() {
        List<ItemResult> rs = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            rs.add(r(i < 30, i >= 30 && i < 80 || i < 10));
        }
        Metrics m = Metrics.of(rs, 5, 2000, 1);
        assertEquals(100, m.n());
        assertEquals(5, m.failed());
        assertEquals(0.30, m.counterfactualAccuracy(), 1e-12);
        assertEquals(0.60, m.parametricAccuracy(), 1e-12);
        assertEquals(0.20, m.otherRate(), 1e-12);
        assertEquals(0.60 / 0.90, m.memorizationRatio(), 1e-12);
        // Binomial sd at p=0.3, n=100 is 0.046: the 95% interval is about ±0.09.
        assertTrue(m.cfLow() > 0.18 && m.cfLow() < 0.25, "low " + m.cfLow());
        assertTrue(m.cfHigh() > 0.35 && m.cfHigh() < 0.42, "high " + m.cfHigh());
        assertTrue(m.memLow() < m.memorizationRatio() && m.memHigh() > m.memorizationRatio());
        assertEquals(m, Metrics.of(rs, 5, 2000, 1), "seeded: the same CIs every time");
    }

    @Test
    void emptyAndDegenerateSets() {
        Metrics none = Metrics.of(List.of(), 3, 100, 0);
        assertEquals(0, none.n());
        assertTrue(Double.isNaN(none.counterfactualAccuracy()));
        assertEquals(3, none.failed());
        Metrics allOther = Metrics.of(List.of(r(false, false), r(false, false)), 0, 100, 0);
        assertEquals(1.0, allOther.otherRate());
        assertTrue(Double.isNaN(allOther.memorizationRatio()), "0/0 memorisation ratio is undefined");
        assertTrue(allOther.toJson().get("memorization_ratio").isNull());
    }
}
