package cpi.world;

import cpi.data.ConflictItem;
import cpi.util.UserError;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * A seeded synthetic knowledge base and the data drawn from it. Known subjects have one fixed object
 * per relation (taught in pretraining); unknown subjects never do. Both are split into an IFT part and
 * a held-out part used only by evaluation. Each generator method uses its own random stream derived
 * from the seed, so every file is byte-identical for the same config and independent of call order.
 */
public final class World {
    private final WorldConfig config;
    private final List<String> relations;
    private final Map<String, List<String>> objects = new LinkedHashMap<>();
    private final Map<String, List<String>> iftObjects = new LinkedHashMap<>();
    private final Map<String, List<String>> evalObjects = new LinkedHashMap<>();
    private final List<String> knownIft;
    private final List<String> knownEval;
    private final List<String> unknownIft;
    private final List<String> unknownEval;
    private final Map<String, String> facts = new LinkedHashMap<>(); // "subject|relation" -> object

    private World(WorldConfig config) {
        this.config = config;
        Random rng = stream(0);
        this.relations = Phrasing.RELATIONS.subList(0, config.relations());
        Set<String> taken = new LinkedHashSet<>(functionWords());
        taken.addAll(Phrasing.RELATIONS);
        int evalObjectCount = Math.max(2, config.objectsPerRelation() / 3);
        for (String r : relations) {
            List<String> objs = Names.draw(rng, config.objectsPerRelation(), 2, taken);
            objects.put(r, objs);
            if (config.disjointEvalObjects()) {
                evalObjects.put(r, objs.subList(0, evalObjectCount));
                iftObjects.put(r, objs.subList(evalObjectCount, objs.size()));
            } else {
                evalObjects.put(r, objs);
                iftObjects.put(r, objs);
            }
        }
        List<String> known = Names.draw(rng, config.knownSubjects(), 3, taken);
        List<String> unknown = Names.draw(rng, config.unknownSubjects(), 3, taken);
        int ke = heldOut(known.size());
        int ue = heldOut(unknown.size());
        knownEval = known.subList(0, ke);
        knownIft = known.subList(ke, known.size());
        unknownEval = unknown.subList(0, ue);
        unknownIft = unknown.subList(ue, unknown.size());
        // Each distractor is a different subject of the context's own pool: the smallest pool bounds them
        // (otherwise drawing distinct subjects would never end).
        int smallestPool = Math.min(Math.min(knownEval.size(), knownIft.size()),
                Math.min(unknownEval.size(), unknownIft.size()));
        if (config.distractors() >= smallestPool) {
            throw new UserError("world config: distractors must be below " + smallestPool
                    + " (the smallest subject pool, " + smallestPool + " subjects, holds the subject and its distractors)");
        }
        for (String s : knownEval) {
            for (String r : relations) {
                facts.put(s + "|" + r, pick(rng, evalObjects.get(r)));
            }
        }
        for (String s : knownIft) {
            for (String r : relations) {
                facts.put(s + "|" + r, pick(rng, iftObjects.get(r)));
            }
        }
    }

    public static World generate(WorldConfig config) {
        return new World(config);
    }

    private int heldOut(int n) {
        return Math.max(2, (int) Math.round(n * config.heldOutFraction()));
    }

    /** Independent, reproducible random stream number k of this world. */
    private Random stream(int k) {
        return new Random(config.seed() * 1_000_003L + k * 7919L + 17);
    }

    private static <T> T pick(Random rng, List<T> list) {
        return list.get(rng.nextInt(list.size()));
    }

    private static String pickOther(Random rng, List<String> list, String not) {
        return pickOutside(rng, list, Set.of(not));
    }

    /** A uniform draw from list that is not in excluded (redrawn until it is not). */
    private static String pickOutside(Random rng, List<String> list, Set<String> excluded) {
        String x;
        do {
            x = pick(rng, list);
        } while (excluded.contains(x));
        return x;
    }

    public WorldConfig config() {
        return config;
    }

    public List<String> relations() {
        return relations;
    }

    public List<String> objects(String relation) {
        return objects.get(relation);
    }

    public List<String> knownIftSubjects() {
        return knownIft;
    }

    public List<String> knownEvalSubjects() {
        return knownEval;
    }

    public List<String> unknownIftSubjects() {
        return unknownIft;
    }

    public List<String> unknownEvalSubjects() {
        return unknownEval;
    }

    public List<String> knownSubjects() {
        List<String> all = new ArrayList<>(knownEval);
        all.addAll(knownIft);
        return all;
    }

    public List<String> unknownSubjects() {
        List<String> all = new ArrayList<>(unknownEval);
        all.addAll(unknownIft);
        return all;
    }

    /** The memorised object of a known subject, or null for unknown subjects. */
    public String fact(String subject, String relation) {
        return facts.get(subject + "|" + relation);
    }

    /** The sentences' own words: the extra templates' words only when this world's pretraining uses them. */
    private List<String> functionWords() {
        List<String> words = new ArrayList<>(Phrasing.FUNCTION_WORDS);
        if (config.knownFactTemplates() > Phrasing.PARAPHRASES) {
            words.addAll(Phrasing.EXTRA_TEMPLATE_WORDS);
        }
        return words;
    }

    public List<Fact> facts() {
        List<Fact> out = new ArrayList<>();
        facts.forEach((k, o) -> {
            String[] sr = k.split("\\|");
            out.add(new Fact(sr[0], sr[1], o));
        });
        return out;
    }

    /**
     * Word-level vocabulary without special tokens (cpi.model.WordTokenizer adds pad, bos, eos, unk
     * and newline first): function words, relations, objects, subjects.
     */
    public List<String> vocabulary() {
        List<String> v = functionWords();
        v.addAll(relations);
        for (String r : relations) {
            v.addAll(objects.get(r));
        }
        v.addAll(knownSubjects());
        v.addAll(unknownSubjects());
        return v;
    }

    // ---------------------------------------------------------------- pretraining

    /**
     * Pretraining documents (text without bos). Each sentence is, with probability pKnown, a true fact
     * of a random known subject, otherwise a restatement of one of the document's local facts (an
     * unknown subject with a random object): the recurrence is what makes copying pay off. Known facts
     * take one of knownFactTemplates surface forms, local facts one of the paraphrases contexts use.
     */
    public List<String> pretrainingDocuments() {
        Random rng = stream(1);
        List<String> docs = new ArrayList<>(config.pretrainDocs());
        List<String> known = knownSubjects();
        List<String> unknown = unknownSubjects();
        for (int d = 0; d < config.pretrainDocs(); d++) {
            List<Fact> local = new ArrayList<>();
            for (int i = 0; i < config.localFacts(); i++) {
                String r = pick(rng, relations);
                local.add(new Fact(pick(rng, unknown), r, pick(rng, objects.get(r))));
            }
            StringBuilder doc = new StringBuilder();
            int tokens = 0;
            while (true) {
                String sentence;
                if (rng.nextDouble() < config.pKnown()) {
                    String s = pick(rng, known);
                    String r = pick(rng, relations);
                    sentence = Phrasing.fact(rng, config.knownFactTemplates(), r, s, fact(s, r));
                } else {
                    Fact f = pick(rng, local);
                    sentence = Phrasing.fact(rng, f.relation(), f.subject(), f.object());
                }
                int n = Phrasing.tokenCount(sentence);
                if (tokens + n > config.docTokens()) {
                    break;
                }
                if (tokens > 0) {
                    doc.append(' ');
                }
                doc.append(sentence);
                tokens += n;
            }
            docs.add(doc.toString());
        }
        return docs;
    }

    /**
     * Closed-book probes for every known fact, copy probes on unknown subjects and conflict probes on known IFT
     * subjects (statement form; copyItems of each of the last two).
     */
    public List<ProbeItem> pretrainingProbes(int copyItems) {
        Random rng = stream(2);
        List<ProbeItem> out = new ArrayList<>();
        for (Fact f : facts()) {
            out.add(new ProbeItem("cb-" + out.size(), ProbeItem.CLOSED_BOOK,
                    Phrasing.statement(f.relation(), f.subject()), f.object()));
        }
        List<String> unknown = unknownSubjects();
        for (int i = 0; i < copyItems; i++) {
            String r = pick(rng, relations);
            String s = pick(rng, unknown);
            String o = pick(rng, objects.get(r));
            String ds = pickOther(rng, unknown, s);
            String dr = pick(rng, relations);
            List<String> sentences = new ArrayList<>(List.of(Phrasing.fact(rng, r, s, o),
                    Phrasing.fact(rng, dr, ds, pick(rng, objects.get(dr)))));
            Collections.shuffle(sentences, rng);
            out.add(new ProbeItem("copy-" + i, ProbeItem.COPY,
                    String.join(" ", sentences) + " " + Phrasing.statement(r, s), o));
        }
        // Conflicts in pretraining form, on IFT subjects only (never evaluation ones): how the pretrained model
        // weighs a context against its memory before any finetuning.
        Random conflictRng = stream(7);
        for (int i = 0; i < copyItems; i++) {
            String r = pick(conflictRng, relations);
            String s = pick(conflictRng, knownIft);
            String o = pickOther(conflictRng, iftObjects.get(r), fact(s, r));
            out.add(new ProbeItem("conflict-" + i, ProbeItem.CONFLICT, context(conflictRng, s, r, o, knownIft, iftObjects)
                    + " " + Phrasing.statement(r, s), o, fact(s, r)));
        }
        return out;
    }

    // ---------------------------------------------------------------- contexts

    /**
     * A context: the sentence stating (subject, relation, object) plus {@code distractors} sentences
     * (one by default) about other subjects of the same pool (a true fact for known subjects, a random one otherwise),
     * shuffled. With probability sameRelationDistractor the distractor states the asked relation, so
     * the relation alone does not locate the answer: copying has to match the subject, which keeps
     * in-context copying less certain than recall of a memorised fact (the theory's delta_M > delta_C).
     */
    private String context(Random rng, String subject, String relation, String object, List<String> pool,
                           Map<String, List<String>> objectPool) {
        // Draw every distractor (a distinct other subject each) before phrasing, so that one distractor
        // consumes the random stream exactly as the single-distractor worlds always have.
        List<Fact> distractors = new ArrayList<>();
        Set<String> used = new LinkedHashSet<>(List.of(subject));
        for (int i = 0; i < config.distractors(); i++) {
            String ds = pickOutside(rng, pool, used);
            used.add(ds);
            String dr = rng.nextDouble() < config.sameRelationDistractor() ? relation : pick(rng, relations);
            String dobj = fact(ds, dr);
            if (dobj == null) {
                dobj = pick(rng, objectPool.get(dr));
            }
            distractors.add(new Fact(ds, dr, dobj));
        }
        List<String> sentences = new ArrayList<>(List.of(Phrasing.fact(rng, relation, subject, object)));
        for (Fact d : distractors) {
            sentences.add(Phrasing.fact(rng, d.relation(), d.subject(), d.object()));
        }
        Collections.shuffle(sentences, rng);
        return String.join(" ", sentences);
    }

    // ---------------------------------------------------------------- IFT

    /** The IFT mixture: context-critical, non-context-critical and closed-book examples. */
    public List<IftItem> iftMixture() {
        Random rng = stream(3);
        List<IftItem> out = new ArrayList<>();
        for (int i = 0; i < config.iftExamples(); i++) {
            double u = rng.nextDouble();
            String r = pick(rng, relations);
            String id = "ift-" + i;
            if (u < config.contextCriticalFraction()) {
                String s = pick(rng, unknownIft);
                String o = pick(rng, iftObjects.get(r));
                out.add(new IftItem(id, Phrasing.question(r, s), context(rng, s, r, o, unknownIft, iftObjects), o,
                        IftItem.CONTEXT_CRITICAL, Phrasing.statement(r, s), s, r));
            } else if (u < config.contextCriticalFraction() + config.closedBookFraction()) {
                String s = pick(rng, knownIft);
                out.add(new IftItem(id, Phrasing.question(r, s), "", fact(s, r), IftItem.CLOSED_BOOK,
                        Phrasing.statement(r, s), s, r));
            } else {
                String s = pick(rng, knownIft);
                String o = fact(s, r);
                out.add(new IftItem(id, Phrasing.question(r, s), context(rng, s, r, o, knownIft, iftObjects), o,
                        IftItem.NON_CONTEXT_CRITICAL, Phrasing.statement(r, s), s, r));
            }
        }
        return out;
    }

    /**
     * Counterfactual augmentation examples: known IFT subjects whose context states a different object,
     * target = the context's object. Only IFT subjects and IFT objects, never evaluation ones.
     */
    public List<IftItem> counterfactualExamples(int n) {
        Random rng = stream(4);
        List<IftItem> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String r = pick(rng, relations);
            String s = pick(rng, knownIft);
            String o = pickOther(rng, iftObjects.get(r), fact(s, r));
            out.add(new IftItem("aug-" + i, Phrasing.question(r, s), context(rng, s, r, o, knownIft, iftObjects), o,
                    IftItem.COUNTERFACTUAL, Phrasing.statement(r, s), s, r));
        }
        return out;
    }

    // ---------------------------------------------------------------- evaluation

    /**
     * Held-out known subjects, every relation, the context stating a different object; counterfactualsPerFact
     * items per fact, each with its own counterfactual object.
     */
    public List<ConflictItem> counterfactualEval() {
        Random rng = stream(5);
        List<ConflictItem> out = new ArrayList<>();
        for (String s : knownEval) {
            for (String r : relations) {
                String truth = fact(s, r);
                List<String> others = new ArrayList<>(evalObjects.get(r));
                others.remove(truth);
                Collections.shuffle(others, rng);
                for (String o : others.subList(0, Math.min(config.counterfactualsPerFact(), others.size()))) {
                    out.add(new ConflictItem("cf-" + out.size(), "synthetic-world", Phrasing.question(r, s),
                            context(rng, s, r, o, knownEval, evalObjects), o, truth, List.of(), r));
                }
            }
        }
        return out;
    }

    /**
     * Closed-book questions on every held-out known fact (IFT format, no context; output = the memorised
     * object): whether finetuning connects the question format to what pretraining memorised, for subjects
     * IFT never asked about. The demo scores it as a short-answer capability benchmark.
     */
    public List<IftItem> closedBookEval() {
        List<IftItem> out = new ArrayList<>();
        for (String s : knownEval) {
            for (String r : relations) {
                out.add(new IftItem("cb-" + out.size(), Phrasing.question(r, s), "", fact(s, r), IftItem.CLOSED_BOOK,
                        Phrasing.statement(r, s), s, r));
            }
        }
        return out;
    }

    /**
     * Capability items: the context states the right answer. Held-out known subjects with their true
     * fact (stratum known_subject) and held-out unknown subjects (stratum unknown_subject). The
     * parametric answer equals the answer (there is no conflict).
     */
    public List<ConflictItem> capabilityEval() {
        Random rng = stream(6);
        List<ConflictItem> out = new ArrayList<>();
        for (String s : knownEval) {
            for (String r : relations) {
                String truth = fact(s, r);
                out.add(new ConflictItem("cap-" + out.size(), "synthetic-world", Phrasing.question(r, s),
                        context(rng, s, r, truth, knownEval, evalObjects), truth, truth, List.of(), "known_subject"));
            }
        }
        int n = out.size();
        for (int i = 0; i < n; i++) {
            String s = unknownEval.get(i % unknownEval.size());
            String r = pick(rng, relations);
            String o = pick(rng, evalObjects.get(r));
            out.add(new ConflictItem("cap-" + out.size(), "synthetic-world", Phrasing.question(r, s),
                    context(rng, s, r, o, unknownEval, evalObjects), o, o, List.of(), "unknown_subject"));
        }
        return out;
    }
}
