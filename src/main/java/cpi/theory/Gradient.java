package cpi.theory;

import java.util.List;
import org.ejml.data.DMatrixRMaj;

/**
 * The negative gradient of the mean loss (eq. 5) over a batch, with the forward passes it was computed from.
 *
 * @param negKQ     −∇_{W_KQ} L (d×d)
 * @param negV      −∇_{W_V} L (d×d), or null when not requested
 * @param loss      the mean loss L
 * @param forwards  one forward pass per batch example, in batch order
 */
public record Gradient(DMatrixRMaj negKQ, DMatrixRMaj negV, double loss, List<Forward> forwards) {

    /** uᵀ (−∇_{W_KQ} L) w, e.g. the θ_C projection at φ(r) of Prop. 1 with u = θ_C, w = φ(r). */
    public double projectKQ(double[] u, double[] w) {
        return bilinear(negKQ, u, w);
    }

    static double bilinear(DMatrixRMaj m, double[] u, double[] w) {
        double sum = 0;
        int n = m.numCols;
        double[] data = m.data;
        for (int i = 0; i < m.numRows; i++) {
            if (u[i] == 0) {
                continue;
            }
            double row = 0;
            for (int j = 0; j < n; j++) {
                row += data[i * n + j] * w[j];
            }
            sum += u[i] * row;
        }
        return sum;
    }
}
