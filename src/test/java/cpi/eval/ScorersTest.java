package cpi.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cpi.data.ConflictItem;
import cpi.util.UserError;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The scorers on the real data's pitfalls. */
class ScorersTest {
    static ConflictItem item(String cf, String par, String... aliases) {
        return new ConflictItem("i", "t", "Q?", "ctx", cf, par, List.of(aliases), null);
    }

    static String label(String scorer, ConflictItem it, String out) {
        return Scorers.get(scorer).judge(it, out).label();
    }

    @Test
    void containsIsThePapersIndependentSubstringCheck() {
        ConflictItem kabul = item("Herat", "Kabul");
        assertEquals("context", label("contains", kabul, " Herat"));
        assertEquals("both", label("contains", kabul, " Herat, formerly Kabul"), "both checks are independent");
        assertEquals("other", label("contains", kabul, " herat"), "case-sensitive, as in the paper");
        // "Paris" inside "Parisian" counts for contains (the paper's metric) but not for normalized.
        ConflictItem paris = item("Lyon", "Paris");
        assertEquals("parametric", label("contains", paris, " A Parisian city"));
        assertEquals("other", label("normalized", paris, " A Parisian city"));
    }

    @Test
    void nonAtomicAnswersNeverMatchWithContainsButDoWithNormalized() {
        ConflictItem bolivia = item("Cochabamba", "La Paz (administrative); Sucre (judicial)");
        assertEquals("other", label("contains", bolivia, " Sucre"));
        assertEquals("parametric", label("normalized", bolivia, " Sucre"));
        assertEquals("parametric", label("normalized", bolivia, " la paz."));
        ConflictItem myanmar = item("Mandalay", "Rangoon (Yangon); Naypyidaw or Nay Pyi Taw (administrative)");
        assertEquals("parametric", label("normalized", myanmar, "It is Nay Pyi Taw"));
        assertEquals("parametric", label("normalized", myanmar, "Yangon"));
    }

    @Test
    void normalizedHandlesAccentsCaseArticlesAndAliases() {
        ConflictItem brazil = item("São Paulo", "Brasília");
        assertEquals("parametric", label("normalized", brazil, " Brasilia"));
        assertEquals("context", label("normalized", brazil, " SAO PAULO!"));
        assertEquals("other", label("contains", brazil, " Brasilia"), "contains needs the accent");
        ConflictItem hague = item("The Hague", "Amsterdam");
        assertEquals("context", label("normalized", hague, "hague"));
        ConflictItem aliased = item("Christopher Marlowe", "William Shakespeare", "Marlowe");
        assertEquals("context", label("normalized", aliased, " Marlowe wrote it"));
    }

    @Test
    void firstMentionPicksTheEarlierAnswer() {
        ConflictItem kabul = item("Herat", "Kabul");
        assertEquals("parametric", label("first-mention", kabul, " Kabul, but now Herat"));
        assertEquals("context", label("first-mention", kabul, " Herat (not Kabul)"));
        assertEquals("other", label("first-mention", kabul, " I don't know"));
        ConflictItem nested = item("Sydney Harbour", "Sydney");
        assertEquals("context", label("first-mention", nested, " Sydney Harbour"), "the longer match wins a tie");
        assertEquals("parametric", label("first-mention", nested, " Sydney."));
        // A non-conflicting item (capability question with a factual context): both answers are the same
        // text, so naming it is right on both counts, as with contains.
        ConflictItem factual = item("hobo", "hobo");
        assertEquals("both", label("first-mention", factual, " hobo"));
        assertEquals("other", label("first-mention", factual, " vifa"));
    }

    @Test
    void logprobComparesLikelihoods() {
        assertTrue(Scorers.get("logprob").usesLogLikelihood());
        assertEquals("context", Judgement.fromLogLikelihoods(-1, -2).label());
        assertEquals("parametric", Judgement.fromLogLikelihoods(-3, -2).label());
        assertEquals("other", Judgement.fromLogLikelihoods(-2, -2).label());
        assertEquals("other", Judgement.fromLogLikelihoods(Double.NaN, -2).label());
    }

    @Test
    void unknownScorerListsTheKnownOnes() {
        String m = assertThrows(UserError.class, () -> Scorers.get("exact")).getMessage();
        assertEquals("unknown scorer 'exact' (known: contains, normalized, first-mention, logprob)", m);
    }
}
