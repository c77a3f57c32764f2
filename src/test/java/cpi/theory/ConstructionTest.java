package cpi.theory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cpi.util.UserError;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;

/** The §5.9 construction satisfies A1–A6 and the class definitions (Defs. 1–3). */
class ConstructionTest {

    @Test
    void embeddingsHaveTheInnerProductsOfA2toA4InAnyBasis() {
        for (long seed : new long[] {0, 3}) {
            Embeddings e = new Embeddings(6, 9, seed);
            int s0 = e.subjectToken(0);
            int s1 = e.subjectToken(1);
            int a0 = e.answerToken(0);
            int a1 = e.answerToken(1);
            int r = e.relationToken();
            assertEquals(1.0, dot(e.phi(s0), e.phi(s0)), 1e-12);
            assertEquals(1.0, dot(e.phi(r), e.phi(r)), 1e-12);
            assertEquals(0.5, dot(e.phi(s0), e.phi(s1)), 1e-12);
            assertEquals(0.5, dot(e.phi(a0), e.phi(a1)), 1e-12);
            assertEquals(0.0, dot(e.phi(s0), e.phi(a0)), 1e-12);
            assertEquals(0.0, dot(e.phi(a0), e.phi(r)), 1e-12);
            assertEquals(Math.sqrt(0.5), dot(e.thetaS(), e.phi(s1)), 1e-12);
            assertEquals(Math.sqrt(0.5), dot(e.thetaC(), e.phi(a1)), 1e-12);
            assertEquals(0.0, dot(e.thetaC(), e.phi(s1)), 1e-12);
            assertEquals(0.0, dot(e.thetaS(), e.thetaC()), 1e-12);
        }
    }

    @Test
    void valueMatrixFromThePseudoInverseReproducesTheTargetTableExactly() {
        for (long seed : new long[] {0, 9}) {
            Construction c = Construction.build(TheoryParams.defaults().withSPoints(3).withSeed(seed));
            DMatrixRMaj target = c.data().values().matrix();
            DMatrixRMaj got = c.initialModel().valueTable();
            double max = 0;
            for (int i = 0; i < target.data.length; i++) {
                max = Math.max(max, Math.abs(target.data[i] - got.data[i]));
            }
            assertTrue(max < 1e-10, "Φᵀ W_V Φ = V, max error " + max + " (seed " + seed + ")");
        }
    }

    @Test
    void classesHaveTheirDefiningProbabilitiesAtStart() {
        TheoryParams p = TheoryParams.defaults().withSPoints(2);
        Construction c = Construction.build(p);
        OneLayerAttention m = c.initialModel();
        for (Example e : c.data().train()) {
            double[] vs = OneLayerAttention.softmax(m.valueLogits(e.subject()));
            switch (e.kind()) {
                case CONTEXT_CRITICAL -> {
                    assertEquals(p.deltaC(), OneLayerAttention.softmax(m.valueLogits(e.context()))[e.target()], 1e-12);
                    // eq. 6: the subject's value is uniform over answers
                    int other = e.target() == c.embeddings().answerToken(0) ? c.embeddings().answerToken(1) : c.embeddings().answerToken(0);
                    assertEquals(vs[other], vs[e.target()], 1e-15);
                }
                case NON_CONTEXT_CRITICAL -> {
                    assertEquals(p.deltaC(), OneLayerAttention.softmax(m.valueLogits(e.context()))[e.target()], 1e-12);
                    assertEquals(p.deltaM(), vs[e.target()], 1e-12);
                }
                case SUBJECT_SEEN -> assertEquals(p.deltaM(), vs[e.target()], 1e-12);
                default -> throw new AssertionError(e.kind());
            }
        }
        for (Example e : c.data().test()) {
            assertEquals(p.deltaM(), OneLayerAttention.softmax(m.valueLogits(e.subject()))[e.memorisedAnswer()], 1e-12);
            assertEquals(p.deltaC(), OneLayerAttention.softmax(m.valueLogits(e.context()))[e.target()], 1e-12);
        }
    }

    @Test
    void attentionStartsHalfContextHalfSubjectWithNoneOnR() {
        Construction c = Construction.build(TheoryParams.defaults());
        OneLayerAttention m = c.initialModel();
        for (Example e : c.data().train()) {
            Forward f = m.forward(e);
            assertEquals(0.5, f.contextAttention(), 1e-12);
            assertTrue(f.relationAttention() < 1e-12, "σ_r ≈ e^-30");
        }
    }

    @Test
    void everyPointHasItsOwnTokensSoTestTokensAreUnseenInTraining() {
        for (long seed : new long[] {0, 4}) {
            Construction c = Construction.build(TheoryParams.defaults().withSPoints(5).withSUnseenPoints(2).withSeed(seed));
            int r = c.embeddings().relationToken();
            Set<Integer> used = new HashSet<>();
            for (List<Example> set : List.of(c.data().train(), c.data().test())) {
                for (Example e : set) {
                    Set<Integer> own = new HashSet<>();
                    for (int t : e.tokens()) {
                        own.add(t);
                    }
                    own.remove(r);
                    own.add(e.target());
                    if (e.memorisedAnswer() >= 0) {
                        own.add(e.memorisedAnswer());
                    }
                    for (int t : own) {
                        assertTrue(used.add(t), "token " + t + " shared between points (A1), seed " + seed);
                    }
                }
            }
            for (Example e : c.data().test()) {
                assertTrue(e.memorisedAnswer() != e.target(), "test answer a ≠ context c");
            }
        }
    }

    @Test
    void tooSmallVocabularyIsAUserErrorNamingTheFlag() {
        UserError e = assertThrows(UserError.class, () -> TheoryParams.defaults().withSubjects(25));
        assertTrue(e.getMessage().contains("--subjects"), e.getMessage());
        UserError a = assertThrows(UserError.class, () -> TheoryParams.defaults().withAnswers(39));
        assertTrue(a.getMessage().contains("--answers"), a.getMessage());
        assertThrows(UserError.class, () -> TheoryParams.defaults().withDeltaM(1.0));
    }

    private static double dot(double[] a, double[] b) {
        return OneLayerAttention.dot(a, b);
    }
}
