package cpi.theory;

import com.fasterxml.jackson.databind.node.ObjectNode;
import cpi.util.Json;
import cpi.util.UserError;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything that defines one run of the one-layer theory simulator (paper §5; digest §5.9).
 * {@link #defaults()} is the paper-faithful construction.
 *
 * @param subjects       K_S, number of subject tokens
 * @param answers        K_A, number of context/answer tokens (K_A > K_S in the paper)
 * @param cPoints        |D_C|, context-critical training points [c, s, r] → c
 * @param csPoints       |D_{C+S}|, non-context-critical training points (subject memorised with answer c)
 * @param sPoints        seen D_S points [s, r] → a whose fact is memorised (σ(v0(s))_a = δ_M; Prop. 2)
 * @param sUnseenPoints  unseen D_S points [s, r] → a, subject value uniform over answers (library only)
 * @param testPoints     held-out counterfactual items [c, s, r], s memorised with a ≠ c, c unseen
 * @param deltaC         δ_C = σ(v0(c))_c, how much a context token's own value predicts it
 * @param deltaM         δ_M = σ(v0(s))_a, how strongly a memorised subject predicts its answer
 * @param lr             gradient-descent learning rate η (full batch, mean loss)
 * @param steps          number of updates; metrics are logged at steps 0..steps
 * @param kqR            W_KQ⁰ = kqR · e_r e_rᵀ; very negative ⇒ σ_r ≈ 0 (A5)
 * @param train          which weights move
 * @param oC             A6 base value logit of answer tokens (0 in the digest's construction)
 * @param oR             A6 base value logit of r (0 in the digest's construction)
 * @param seed           0 = canonical axis-aligned basis and token order; otherwise a random orthonormal
 *                       basis and a random assignment of tokens to roles (the dynamics are invariant)
 */
public record TheoryParams(int subjects, int answers, int cPoints, int csPoints, int sPoints, int sUnseenPoints,
                           int testPoints, double deltaC, double deltaM, double lr, int steps, double kqR,
                           TrainMode train, double oC, double oR, long seed) {

    public TheoryParams {
        if (subjects < 1) {
            throw new UserError("--subjects must be >= 1 (got " + subjects + ")");
        }
        if (answers < 2) {
            throw new UserError("--answers must be >= 2 (got " + answers + ")");
        }
        nonNegative("--c-points", cPoints);
        nonNegative("--cs-points", csPoints);
        nonNegative("--s-points", sPoints);
        nonNegative("s-unseen-points", sUnseenPoints);
        nonNegative("--test-points", testPoints);
        if (cPoints + csPoints + sPoints + sUnseenPoints == 0) {
            throw new UserError("no training points: give --c-points, --cs-points or --s-points > 0");
        }
        probability("--delta-c", deltaC);
        probability("--delta-m", deltaM);
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new UserError("--lr must be a finite number >= 0 (got " + lr + ")");
        }
        if (steps < 0) {
            throw new UserError("--steps must be >= 0 (got " + steps + ")");
        }
        if (!Double.isFinite(kqR) || !Double.isFinite(oC) || !Double.isFinite(oR)) {
            throw new UserError("--kq-r, o_c and o_r must be finite numbers");
        }
        if (train == null) {
            throw new UserError("--train must be kq or kq+v");
        }
        // A1: every point uses its own subject and its own answer token(s); none may be shared.
        int needS = subjectsNeeded(cPoints, csPoints, sPoints, sUnseenPoints, testPoints);
        int needA = answersNeeded(cPoints, csPoints, sPoints, sUnseenPoints, testPoints);
        if (needS > subjects) {
            throw new UserError("--subjects " + subjects + " is too small: the points need " + needS
                    + " distinct subject tokens (c + cs + s + test points); raise --subjects or use fewer points");
        }
        if (needA > answers) {
            throw new UserError("--answers " + answers + " is too small: the points need " + needA
                    + " distinct answer tokens (c + cs + s points + 2 per test item); raise --answers or use fewer points");
        }
    }

    /** The digest's §5.9 construction: K_S=40, K_A=80, 10 C + 10 C+S points, 10 test items, δ_C=0.2, δ_M=0.6, η=2, 150 steps. */
    public static TheoryParams defaults() {
        return new TheoryParams(40, 80, 10, 10, 0, 0, 10, 0.2, 0.6, 2.0, 150, -30.0, TrainMode.KQ, 0.0, 0.0, 0L);
    }

    static int subjectsNeeded(int c, int cs, int s, int sUnseen, int test) {
        return c + cs + s + sUnseen + test;
    }

    static int answersNeeded(int c, int cs, int s, int sUnseen, int test) {
        return c + cs + s + sUnseen + 2 * test;
    }

    public int vocabularySize() {
        return subjects + answers + 1;
    }

    /** d = K_S + K_A + 3: one direction per token plus θ_S, θ_C and e_r. */
    public int dimension() {
        return subjects + answers + 3;
    }

    public int trainingPoints() {
        return cPoints + csPoints + sPoints + sUnseenPoints;
    }

    /** Z = (K_A − 1)e^{o_c} + e^{o_r} + K_S: the softmax mass of every entry but one in a value column (Lemma 3). */
    public double partitionZ() {
        return (answers - 1) * Math.exp(oC) + Math.exp(oR) + subjects;
    }

    /**
     * The paper's assumptions that these parameters break. The simulator still runs (exploring outside the
     * theorem is the point of the grid); the CLI prints these so nobody mistakes such a run for the theorem.
     */
    public List<String> assumptionWarnings() {
        List<String> w = new ArrayList<>();
        if (deltaC <= 3.0 / (answers - 1)) {
            w.add("δ_C = " + deltaC + " <= 3/(K_A-1) = " + fmt(3.0 / (answers - 1)) + " (Def. 2 / Lemma 6 assume δ_C > 3/(K_A-1))");
        }
        if (csPoints > 0 && deltaM <= 2 * deltaC) {
            w.add("δ_M = " + deltaM + " <= 2·δ_C = " + fmt(2 * deltaC) + " (Def. 3 assumes δ_M > 2·δ_C)");
        }
        if (csPoints > 0 && cPoints > 0 && Math.abs(ClosedForms.marginCS(this)) >= Math.abs(ClosedForms.marginC(this))) {
            w.add("|m_{C+S}| = " + fmt(Math.abs(ClosedForms.marginCS(this))) + " >= |m_C| = " + fmt(ClosedForms.marginC(this))
                    + ": Lemma 6 fails for these δ_C, δ_M (possible even when δ_C > 3/(K_A-1) and δ_M > 2δ_C)");
        }
        if (cPoints + csPoints > 0 && ClosedForms.thetaCProjectionAtStart(this) <= 0) {
            w.add("the θ_C projection at t=0 is " + fmt(ClosedForms.thetaCProjectionAtStart(this))
                    + " <= 0: Prop. 1's first phase (attention moving to the context) does not happen");
        }
        if (cPoints < csPoints) {
            w.add("|D_C| = " + cPoints + " < |D_{C+S}| = " + csPoints + " (Prop. 1 assumes |D_C| >= |D_{C+S}|)");
        }
        if (answers <= subjects) {
            w.add("K_A = " + answers + " <= K_S = " + subjects + " (the paper assumes K_A > K_S)");
        }
        if (oR > oC) {
            w.add("o_r > o_c (A6 assumes o_r <= o_c)");
        }
        if (kqR > -10) {
            w.add("--kq-r " + kqR + " leaves attention on r non-negligible (A5 assumes σ_r ≈ 0)");
        }
        return w;
    }

    private static String fmt(double x) {
        return String.format("%.4g", x);
    }

    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("subjects", subjects);
        o.put("answers", answers);
        o.put("c_points", cPoints);
        o.put("cs_points", csPoints);
        o.put("s_points", sPoints);
        o.put("s_unseen_points", sUnseenPoints);
        o.put("test_points", testPoints);
        o.put("delta_c", deltaC);
        o.put("delta_m", deltaM);
        o.put("lr", lr);
        o.put("steps", steps);
        o.put("kq_r", kqR);
        o.put("train", train.flag());
        o.put("o_c", oC);
        o.put("o_r", oR);
        o.put("seed", seed);
        o.put("vocabulary", vocabularySize());
        o.put("dimension", dimension());
        o.put("loss", "mean cross-entropy over training points (eq. 5)");
        return o;
    }

    // Withers keep tests and the grid readable: defaults().withCsPoints(0).withSteps(40).

    public TheoryParams withSubjects(int v) {
        return new TheoryParams(v, answers, cPoints, csPoints, sPoints, sUnseenPoints, testPoints, deltaC, deltaM, lr, steps, kqR, train, oC, oR, seed);
    }

    public TheoryParams withAnswers(int v) {
        return new TheoryParams(subjects, v, cPoints, csPoints, sPoints, sUnseenPoints, testPoints, deltaC, deltaM, lr, steps, kqR, train, oC, oR, seed);
    }

    public TheoryParams withCPoints(int v) {
        return new TheoryParams(subjects, answers, v, csPoints, sPoints, sUnseenPoints, testPoints, deltaC, deltaM, lr, steps, kqR, train, oC, oR, seed);
    }

    public TheoryParams withCsPoints(int v) {
        return new TheoryParams(subjects, answers, cPoints, v, sPoints, sUnseenPoints, testPoints, deltaC, deltaM, lr, steps, kqR, train, oC, oR, seed);
    }

    public TheoryParams withSPoints(int v) {
        return new TheoryParams(subjects, answers, cPoints, csPoints, v, sUnseenPoints, testPoints, deltaC, deltaM, lr, steps, kqR, train, oC, oR, seed);
    }

    public TheoryParams withSUnseenPoints(int v) {
        return new TheoryParams(subjects, answers, cPoints, csPoints, sPoints, v, testPoints, deltaC, deltaM, lr, steps, kqR, train, oC, oR, seed);
    }

    public TheoryParams withTestPoints(int v) {
        return new TheoryParams(subjects, answers, cPoints, csPoints, sPoints, sUnseenPoints, v, deltaC, deltaM, lr, steps, kqR, train, oC, oR, seed);
    }

    public TheoryParams withDeltaC(double v) {
        return new TheoryParams(subjects, answers, cPoints, csPoints, sPoints, sUnseenPoints, testPoints, v, deltaM, lr, steps, kqR, train, oC, oR, seed);
    }

    public TheoryParams withDeltaM(double v) {
        return new TheoryParams(subjects, answers, cPoints, csPoints, sPoints, sUnseenPoints, testPoints, deltaC, v, lr, steps, kqR, train, oC, oR, seed);
    }

    public TheoryParams withLr(double v) {
        return new TheoryParams(subjects, answers, cPoints, csPoints, sPoints, sUnseenPoints, testPoints, deltaC, deltaM, v, steps, kqR, train, oC, oR, seed);
    }

    public TheoryParams withSteps(int v) {
        return new TheoryParams(subjects, answers, cPoints, csPoints, sPoints, sUnseenPoints, testPoints, deltaC, deltaM, lr, v, kqR, train, oC, oR, seed);
    }

    public TheoryParams withKqR(double v) {
        return new TheoryParams(subjects, answers, cPoints, csPoints, sPoints, sUnseenPoints, testPoints, deltaC, deltaM, lr, steps, v, train, oC, oR, seed);
    }

    public TheoryParams withTrain(TrainMode v) {
        return new TheoryParams(subjects, answers, cPoints, csPoints, sPoints, sUnseenPoints, testPoints, deltaC, deltaM, lr, steps, kqR, v, oC, oR, seed);
    }

    public TheoryParams withBaseLogits(double newOC, double newOR) {
        return new TheoryParams(subjects, answers, cPoints, csPoints, sPoints, sUnseenPoints, testPoints, deltaC, deltaM, lr, steps, kqR, train, newOC, newOR, seed);
    }

    public TheoryParams withSeed(long v) {
        return new TheoryParams(subjects, answers, cPoints, csPoints, sPoints, sUnseenPoints, testPoints, deltaC, deltaM, lr, steps, kqR, train, oC, oR, v);
    }

    private static void nonNegative(String flag, int v) {
        if (v < 0) {
            throw new UserError(flag + " must be >= 0 (got " + v + ")");
        }
    }

    private static void probability(String flag, double p) {
        if (!(p > 0 && p < 1)) {
            throw new UserError(flag + " must be strictly between 0 and 1 (got " + p + ")");
        }
    }
}
