package cpi.theory;

/** The datapoint classes of §5.1 / App. B.1.1, plus the held-out counterfactual test items of Theorem 1. */
public enum PointKind {
    /** D_C (Def. 2): [c, s, r] → c; only the context predicts the answer at t = 0. */
    CONTEXT_CRITICAL("C"),
    /** D_{C+S} (Def. 3): [c, s, r] → c where the subject already predicts c (memorised, δ_M > 2δ_C). */
    NON_CONTEXT_CRITICAL("C+S"),
    /** D_S seen: [s, r] → a, the fact (s, r, a) memorised in pretraining (Prop. 2). */
    SUBJECT_SEEN("S"),
    /** D_S unseen: [s, r] → a, the subject's value is uniform over answers. */
    SUBJECT_UNSEEN("S-unseen"),
    /** Held-out test item [c, s, r]: s memorised with answer a ≠ c, both c and s unseen in training (eq. 14). */
    TEST("test");

    private final String label;

    PointKind(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
