package cpi.eval;

/**
 * A scorer's verdict on one item. cf and par are independent checks for the containment scorers (both may
 * hold); label is context | parametric | both | other.
 */
public record Judgement(boolean cf, boolean par, String label) {
    public static final String CONTEXT = "context";
    public static final String PARAMETRIC = "parametric";
    public static final String BOTH = "both";
    public static final String OTHER = "other";

    public static Judgement of(boolean cf, boolean par) {
        return new Judgement(cf, par, cf && par ? BOTH : cf ? CONTEXT : par ? PARAMETRIC : OTHER);
    }

    /** The logprob verdict: the more likely answer wins; a tie (or NaN) is other. */
    public static Judgement fromLogLikelihoods(double cfLl, double parLl) {
        if (cfLl > parLl) {
            return of(true, false);
        }
        if (parLl > cfLl) {
            return of(false, true);
        }
        return of(false, false);
    }
}
