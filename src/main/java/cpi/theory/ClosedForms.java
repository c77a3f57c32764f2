package cpi.theory;

/**
 * The paper's closed forms at t = 0 (Lemma 4, Prop. 1 step 1) and Theorem 1's M_C as a function of the
 * test context attention (eq. 165). The tests compare the simulator against these; they assume σ_r = 0,
 * so they hold up to O(e^{kq_r}) in the simulator.
 */
public final class ClosedForms {
    private ClosedForms() {}

    static double logit(double p) {
        return Math.log(p / (1 - p));
    }

    /** m_C = λ_C [log(δ_C/(1−δ_C)) + log Z − o_c] (eq. 45). */
    public static double marginC(TheoryParams p) {
        double z = p.partitionZ();
        double lambda = 1.0 / (1.0 + Math.exp(0.5 * logit(p.deltaC()) + 0.5 * Math.log(z) + 0.5 * p.oC()) / z);
        return lambda * (logit(p.deltaC()) + Math.log(z) - p.oC());
    }

    /** m_{C+S} = λ_{C+S} [log(δ_C/(1−δ_C)) − log(δ_M/(1−δ_M))] (eq. 46). */
    public static double marginCS(TheoryParams p) {
        double z = p.partitionZ();
        double lambda = 1.0 / (1.0 + Math.exp(0.5 * logit(p.deltaC()) + 0.5 * logit(p.deltaM()) + Math.log(z)) / z);
        return lambda * (logit(p.deltaC()) - logit(p.deltaM()));
    }

    /**
     * θ_Cᵀ[−∇L(W⁰)]φ(r) for D = D_C ∪ D_{C+S}: every example contributes σ_sσ_c m/√2 = m/(4√2) at σ_c = σ_s = ½,
     * so the batch mean is (n_C m_C + n_{C+S} m_{C+S}) / (4√2 n); (m_C + m_{C+S})/(8√2) for equal halves.
     */
    public static double thetaCProjectionAtStart(TheoryParams p) {
        int n = p.cPoints() + p.csPoints();
        return (p.cPoints() * marginC(p) + p.csPoints() * marginCS(p)) / (4 * Math.sqrt(2) * n);
    }

    /**
     * Theorem 1 (eq. 165): the test item's M_C = 1/(1 + X) when it attends σ_c to its context and 1 − σ_c to
     * its subject, X = exp((1−σ_c) log(δ_M/(1−δ_M)) − σ_c log(δ_C/(1−δ_C)) − (2σ_c−1) log((K_A−1) + (e^{o_r}+K_S)/e^{o_c})).
     */
    public static double testContextMass(TheoryParams p, double sigmaC) {
        double spread = Math.log((p.answers() - 1) + (Math.exp(p.oR()) + p.subjects()) / Math.exp(p.oC()));
        double logX = (1 - sigmaC) * logit(p.deltaM()) - sigmaC * logit(p.deltaC()) - (2 * sigmaC - 1) * spread;
        return 1.0 / (1.0 + Math.exp(logX));
    }
}
