package cpi.demo;

import com.fasterxml.jackson.databind.node.ObjectNode;
import cpi.util.Json;
import cpi.util.UserError;
import cpi.world.WorldConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Every setting of a demo run. {@link #of} gives the tuned defaults (docs/demo.md explains how they were
 * found with tools/probe/world_probe.py); --quick shortens pretraining and finetuning for CI.
 *
 * @param hidden GPT-2 width; layers, heads likewise
 * @param pretrainSteps optimizer steps of pretraining (batch pretrainBatch documents)
 * @param pretrainLr peak learning rate (warmup then cosine decay to a tenth)
 * @param iftSteps finetuning steps per variant; iftBatch examples per step; iftLr peak learning rate
 *        (3% warmup, then linear decay to zero, as open-instruct finetunes)
 * @param evalEvery in-loop evaluation period (steps)
 * @param filterMaxLoss the no-context-loss filter drops examples whose answer loss without context is below
 *        this (nats; ln 2: the pretrained model already gives the answer probability above one half)
 * @param augmentFraction counterfactual examples added, as a share of the IFT set
 * @param qkLrMultiplier QK-only finetuning trains fewer parameters; its learning rate is iftLr times this
 */
public record DemoConfig(boolean quick, WorldConfig world, int hidden, int layers, int heads, int maxPositions,
                         int pretrainSteps, int pretrainBatch, double pretrainLr, int iftSteps, int iftBatch,
                         double iftLr, int evalEvery, double filterMaxLoss, double augmentFraction,
                         double qkLrMultiplier, String template, String scorer) {

    static final double LN2 = Math.log(2);

    public static DemoConfig of(boolean quick, long seed) {
        WorldConfig w = WorldConfig.defaults(seed);
        if (quick) {
            return new DemoConfig(true, w, 128, 3, 4, 128, 2000, 32, 3e-3, 300, 32, 5e-4, 30, LN2, 0.3, 1.0,
                    "plain", "first-mention");
        }
        return new DemoConfig(false, w, 128, 3, 4, 128, 2000, 32, 3e-3, 500, 32, 5e-4, 50, LN2, 0.3, 1.0,
                "plain", "first-mention");
    }

    /** Overrides step counts (0 = keep), e.g. for a smoke test or a longer run. */
    public DemoConfig withSteps(int pretrain, int ift, int eval) {
        return new DemoConfig(quick, world, hidden, layers, heads, maxPositions,
                pretrain > 0 ? pretrain : pretrainSteps, pretrainBatch, pretrainLr, ift > 0 ? ift : iftSteps, iftBatch,
                iftLr, eval > 0 ? eval : evalEvery, filterMaxLoss, augmentFraction, qkLrMultiplier, template, scorer);
    }

    /**
     * World knobs overridden by name, e.g. {"sameRelationDistractor": "0.75"}: the names and value types
     * of {@link WorldConfig}'s components (an unknown name or a bad value is a one-line error).
     */
    public DemoConfig withWorldOverrides(Map<String, String> overrides) {
        if (overrides.isEmpty()) {
            return this;
        }
        ObjectNode w = world.toJson();
        for (var e : overrides.entrySet()) {
            if (!w.has(e.getKey())) {
                List<String> names = new ArrayList<>();
                w.fieldNames().forEachRemaining(names::add);
                throw new UserError("--world " + e.getKey() + ": unknown world setting (known: "
                        + String.join(", ", names) + ")");
            }
            w.put(e.getKey(), e.getValue());
        }
        WorldConfig changed;
        try {
            changed = WorldConfig.fromJson(w);
        } catch (IllegalArgumentException e) {
            throw new UserError("--world: " + overrides + " is not a valid world setting (" + e.getMessage() + ")");
        }
        return new DemoConfig(quick, changed, hidden, layers, heads, maxPositions, pretrainSteps, pretrainBatch,
                pretrainLr, iftSteps, iftBatch, iftLr, evalEvery, filterMaxLoss, augmentFraction, qkLrMultiplier,
                template, scorer);
    }

    /** The settings that determine the pretrained model (its cache key). */
    public ObjectNode pretrainKey() {
        ObjectNode o = Json.object();
        ObjectNode w = world.toJson();
        // IFT and evaluation knobs do not change the pretraining corpus: keep them out of the cache key
        for (String ift : new String[] {"iftExamples", "contextCriticalFraction", "closedBookFraction",
                "sameRelationDistractor", "distractors", "counterfactualsPerFact"}) {
            w.remove(ift);
        }
        o.set("world", w);
        o.put("family", "gpt2");
        o.put("hidden", hidden);
        o.put("layers", layers);
        o.put("heads", heads);
        o.put("max_positions", maxPositions);
        o.put("pretrain_steps", pretrainSteps);
        o.put("pretrain_batch", pretrainBatch);
        o.put("pretrain_lr", pretrainLr);
        o.put("version", 1);
        return o;
    }

    public ObjectNode toJson() {
        return Json.MAPPER.valueToTree(this);
    }
}
