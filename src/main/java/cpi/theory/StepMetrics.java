package cpi.theory;

/**
 * What the simulator logs at step t, all evaluated at W^(t) before the update (issue 5 item 2).
 *
 * @param step        t
 * @param mcTest      M_C (eq. 14) averaged over the test items
 * @param gradThetaC  θ_Cᵀ(−∇_{W_KQ} L)φ(r) (Prop. 1)
 * @param gradThetaS  θ_Sᵀ(−∇_{W_KQ} L)φ(r); the exact negative of gradThetaC while σ_r ≈ 0 (Lemma 2)
 * @param attC        mean context attention σ_c on D_C points (NaN if none)
 * @param attCs       mean σ_c on D_{C+S} points (NaN if none)
 * @param attTest     mean σ_c on the test items (NaN if none)
 * @param lossC       mean loss on D_C points (NaN if none)
 * @param lossCs      mean loss on D_{C+S} points (NaN if none)
 * @param lossS       mean loss on D_S points, seen and unseen (NaN if none; printed, not in theory.json)
 */
public record StepMetrics(int step, double mcTest, double gradThetaC, double gradThetaS, double attC,
                          double attCs, double attTest, double lossC, double lossCs, double lossS) {
}
