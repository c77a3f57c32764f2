package cpi.world;

import com.fasterxml.jackson.databind.node.ObjectNode;
import cpi.util.Json;
import cpi.util.UserError;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Size and mixture knobs of a synthetic world. Defaults are the demo's settings (see docs/demo.md):
 * small enough that a ~0.1M-parameter model memorises every fact in a minute of CPU, large enough
 * that the held-out counterfactual set has a few hundred items.
 *
 * @param knownSubjects subjects with one fixed object per relation, memorised in pretraining
 * @param unknownSubjects subjects that never have a fixed fact (document-local facts in pretraining,
 *        context-critical IFT examples, capability items)
 * @param heldOutFraction share of known and of unknown subjects kept out of IFT for evaluation
 * @param disjointEvalObjects when true, objects are also split so evaluation answers never occur in IFT
 * @param pKnown probability that a pretraining sentence is a true fact of a known subject
 *        (otherwise a recurring document-local fact, which teaches in-context copying)
 * @param localFacts document-local facts per pretraining document
 * @param docTokens maximum tokens per pretraining document (whole sentences, bos not counted)
 * @param contextCriticalFraction share of IFT examples whose answer is only in the context
 * @param closedBookFraction share of IFT examples with no context (recall of a memorised fact)
 * @param sameRelationDistractor probability that a context's distractor sentence states the asked
 *        relation (of another subject), so that copying must find the right subject and not just the
 *        relation; otherwise the distractor's relation is drawn at random
 * @param distractors distractor sentences per context, each about a different subject of the pool
 * @param counterfactualsPerFact counterfactual evaluation items per held-out known fact (different
 *        counterfactual objects and contexts): more items, tighter confidence intervals
 * @param knownFactTemplates surface forms of the known facts in the pretraining corpus (3: the three
 *        paraphrases contexts also use; up to 8). More forms store the facts so that finetuning reaches
 *        them from the question format for subjects it never asked about (docs/demo.md measures it)
 */
public record WorldConfig(long seed, int relations, int objectsPerRelation, int knownSubjects,
                          int unknownSubjects, double heldOutFraction, boolean disjointEvalObjects,
                          double pKnown, int localFacts, int docTokens, int pretrainDocs,
                          int iftExamples, double contextCriticalFraction, double closedBookFraction,
                          double sameRelationDistractor, int distractors, int counterfactualsPerFact,
                          int knownFactTemplates) {

    public WorldConfig {
        require(relations >= 1 && relations <= Phrasing.RELATIONS.size(),
                "relations must be 1.." + Phrasing.RELATIONS.size());
        require(objectsPerRelation >= 6, "objectsPerRelation must be at least 6");
        require(knownSubjects >= 6, "knownSubjects must be at least 6");
        require(unknownSubjects >= 6, "unknownSubjects must be at least 6");
        require(heldOutFraction > 0 && heldOutFraction < 1, "heldOutFraction must be in (0, 1)");
        require(pKnown >= 0 && pKnown <= 1, "pKnown must be in [0, 1]");
        require(localFacts >= 1, "localFacts must be at least 1");
        require(docTokens >= 16, "docTokens must be at least 16");
        require(pretrainDocs >= 1 && iftExamples >= 1, "pretrainDocs and iftExamples must be positive");
        require(contextCriticalFraction >= 0 && closedBookFraction >= 0
                && contextCriticalFraction + closedBookFraction <= 1,
                "contextCriticalFraction + closedBookFraction must be in [0, 1]");
        require(sameRelationDistractor >= 0 && sameRelationDistractor <= 1,
                "sameRelationDistractor must be in [0, 1]");
        require(distractors >= 0 && distractors < Math.min(knownSubjects, unknownSubjects) / 3,
                "distractors must be in 0..a third of the smaller subject pool");
        require(knownFactTemplates >= Phrasing.PARAPHRASES && knownFactTemplates <= Phrasing.MAX_TEMPLATES,
                "knownFactTemplates must be " + Phrasing.PARAPHRASES + ".." + Phrasing.MAX_TEMPLATES);
        require(counterfactualsPerFact >= 1 && counterfactualsPerFact < objectsPerRelation,
                "counterfactualsPerFact must be in 1..objectsPerRelation-1");
    }

    /** The demo's default world. */
    public static WorldConfig defaults(long seed) {
        return new WorldConfig(seed, 4, 24, 120, 400, 1.0 / 3, false, 0.5, 2, 64, 20_000, 20_000, 0.3, 0.2, 0.5, 1, 3, Phrasing.PARAPHRASES);
    }

    public WorldConfig withSeed(long s) {
        return withOverrides(Map.of("seed", Long.toString(s)));
    }

    public WorldConfig withPretrainDocs(int n) {
        return withOverrides(Map.of("pretrainDocs", Integer.toString(n)));
    }

    public WorldConfig withMixture(int examples, double contextCritical, double closedBook) {
        return withOverrides(Map.of("iftExamples", Integer.toString(examples),
                "contextCriticalFraction", Double.toString(contextCritical),
                "closedBookFraction", Double.toString(closedBook)));
    }

    /**
     * Knobs overridden by name, e.g. {"sameRelationDistractor": "0.75"}: the names and value types of this
     * record's components (cpi demo --world KEY=VALUE; the with* methods above). An unknown name or a bad
     * value is a one-line error.
     */
    public WorldConfig withOverrides(Map<String, String> overrides) {
        ObjectNode w = toJson();
        for (var e : overrides.entrySet()) {
            if (!w.has(e.getKey())) {
                List<String> names = new ArrayList<>();
                w.fieldNames().forEachRemaining(names::add);
                throw new UserError("world setting " + e.getKey() + ": unknown (known: "
                        + String.join(", ", names) + ")");
            }
            w.put(e.getKey(), e.getValue());
        }
        try {
            return fromJson(w);
        } catch (IllegalArgumentException e) {
            // Jackson wraps the constructor's own UserError; its message is the one-line explanation
            Throwable why = e;
            while (why.getCause() != null && !(why instanceof UserError)) {
                why = why.getCause();
            }
            throw new UserError("world settings " + overrides + ": " + why.getMessage().lines().findFirst().orElse(""));
        }
    }

    public ObjectNode toJson() {
        return Json.MAPPER.valueToTree(this);
    }

    public static WorldConfig fromJson(com.fasterxml.jackson.databind.JsonNode node) {
        return Json.convert(node, WorldConfig.class);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new UserError("world config: " + message);
        }
    }
}
