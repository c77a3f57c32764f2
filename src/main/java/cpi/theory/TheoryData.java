package cpi.theory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The training set D = D_C ∪ D_{C+S} ∪ D_S and the held-out test items, together with the value-logit
 * table their definitions imply (Defs. 1–3, eqs. 6–8, Lemma 3).
 *
 * <p>A1: every point gets its own subject and its own answer token(s). Test items use subjects and
 * tokens never seen in training: an unseen context c (σ(v0(c))_c = δ_C, like any context) and a
 * memorised answer a ≠ c of the test subject (σ(v0(s))_a = δ_M).
 */
public record TheoryData(List<Example> train, List<Example> test, ValueLogitTable values) {

    public static TheoryData generate(TheoryParams p, Embeddings emb) {
        ValueLogitTable v = new ValueLogitTable(emb, p.oC(), p.oR());
        TokenPool subjects = new TokenPool(p.subjects(), p.seed(), 1);
        TokenPool answers = new TokenPool(p.answers(), p.seed(), 2);
        int r = emb.relationToken();
        List<Example> train = new ArrayList<>();
        for (int i = 0; i < p.cPoints(); i++) {
            int s = emb.subjectToken(subjects.next());
            int c = emb.answerToken(answers.next());
            v.contextPredictsItself(c, p.deltaC());
            train.add(new Example(PointKind.CONTEXT_CRITICAL, new int[] {c, s, r}, c, -1));
        }
        for (int i = 0; i < p.csPoints(); i++) {
            int s = emb.subjectToken(subjects.next());
            int c = emb.answerToken(answers.next());
            v.contextPredictsItself(c, p.deltaC());
            v.memorise(s, c, p.deltaM());
            train.add(new Example(PointKind.NON_CONTEXT_CRITICAL, new int[] {c, s, r}, c, c));
        }
        for (int i = 0; i < p.sPoints(); i++) {
            int s = emb.subjectToken(subjects.next());
            int a = emb.answerToken(answers.next());
            v.memorise(s, a, p.deltaM());
            train.add(new Example(PointKind.SUBJECT_SEEN, new int[] {s, r}, a, a));
        }
        for (int i = 0; i < p.sUnseenPoints(); i++) {
            int s = emb.subjectToken(subjects.next());
            int a = emb.answerToken(answers.next());
            train.add(new Example(PointKind.SUBJECT_UNSEEN, new int[] {s, r}, a, -1));
        }
        List<Example> test = new ArrayList<>();
        for (int i = 0; i < p.testPoints(); i++) {
            int s = emb.subjectToken(subjects.next());
            int c = emb.answerToken(answers.next());
            int a = emb.answerToken(answers.next());
            v.memorise(s, a, p.deltaM());
            v.contextPredictsItself(c, p.deltaC());
            test.add(new Example(PointKind.TEST, new int[] {c, s, r}, c, a));
        }
        return new TheoryData(List.copyOf(train), List.copyOf(test), v);
    }

    public List<Example> train(PointKind kind) {
        return train.stream().filter(e -> e.kind() == kind).toList();
    }

    /** Hands out distinct indices: in order for seed 0, in a seeded random order otherwise. */
    private static final class TokenPool {
        private final List<Integer> order = new ArrayList<>();
        private int next;

        TokenPool(int size, long seed, int stream) {
            for (int i = 0; i < size; i++) {
                order.add(i);
            }
            if (seed != 0) {
                Collections.shuffle(order, new Random(seed * 31 + stream));
            }
        }

        int next() {
            return order.get(next++);
        }
    }
}
