package cpi.demo;

import com.fasterxml.jackson.databind.node.ObjectNode;
import cpi.model.ModelConfig;
import cpi.model.Tokenizer;
import cpi.util.Json;
import cpi.util.UserError;
import cpi.world.WorldConfig;
import java.util.Map;

/**
 * Every setting of a demo run. {@link #of} gives the tuned defaults (docs/demo.md explains how they were
 * found with tools/probe/world_probe.py); --quick shortens only finetuning (both modes share the pretrained model).
 *
 * @param family the model family pretrained from scratch: "gpt2" (learned positions, GELU MLP, tied
 *        embeddings) or "llama" (rotary positions, SwiGLU MLP with about the same parameter count)
 * @param hidden model width; layers, heads likewise
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
public record DemoConfig(boolean quick, WorldConfig world, String family, int hidden, int layers, int heads, int maxPositions,
                         int pretrainSteps, int pretrainBatch, double pretrainLr, int iftSteps, int iftBatch,
                         double iftLr, int evalEvery, double filterMaxLoss, double augmentFraction,
                         double qkLrMultiplier, String template, String scorer) {

    static final double LN2 = Math.log(2);

    public static DemoConfig of(boolean quick, long seed) {
        // the modes differ only in finetuning length (they share the pretrained model)
        return new DemoConfig(quick, WorldConfig.defaults(seed), "gpt2", 128, 3, 4, 128, 2500, 32, 3e-3,
                quick ? 300 : 500, 32, 5e-4, quick ? 30 : 50, LN2, 0.3, 1.0, "plain", "first-mention");
    }

    /** Overrides step counts (0 = keep), e.g. for a smoke test or a longer run. */
    public DemoConfig withSteps(int pretrain, int ift, int eval) {
        return new DemoConfig(quick, world, family, hidden, layers, heads, maxPositions,
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
        return new DemoConfig(quick, world.withOverrides(overrides), family, hidden, layers, heads, maxPositions,
                pretrainSteps, pretrainBatch, pretrainLr, iftSteps, iftBatch, iftLr, evalEvery, filterMaxLoss,
                augmentFraction, qkLrMultiplier, template, scorer);
    }

    /** Another peak finetuning learning rate (every variant; QK-only multiplies it by qkLrMultiplier). */
    public DemoConfig withIftLr(double lr) {
        if (!(lr > 0) || !Double.isFinite(lr)) {
            throw new UserError("--ift-lr " + lr + ": the learning rate must be a positive number");
        }
        return new DemoConfig(quick, world, family, hidden, layers, heads, maxPositions, pretrainSteps, pretrainBatch,
                pretrainLr, iftSteps, iftBatch, lr, evalEvery, filterMaxLoss, augmentFraction, qkLrMultiplier,
                template, scorer);
    }

    /** Another model family ("gpt2" or "llama"); a bad name is a one-line error. */
    public DemoConfig withFamily(String name) {
        if (!name.equals("gpt2") && !name.equals("llama")) {
            throw new UserError("--family " + name + ": the demo pretrains gpt2 or llama");
        }
        return new DemoConfig(quick, world, name, hidden, layers, heads, maxPositions, pretrainSteps, pretrainBatch,
                pretrainLr, iftSteps, iftBatch, iftLr, evalEvery, filterMaxLoss, augmentFraction, qkLrMultiplier,
                template, scorer);
    }

    /** The architecture of the model pretrained from scratch, for the world's tokenizer (vocabulary, bos, eos). */
    public ModelConfig modelConfig(Tokenizer tok) {
        int vocab = tok.vocabSize();
        ModelConfig mc = family.equals("llama")
                // SwiGLU has three matrices: 8/3 of the width keeps the MLP at GPT-2's 8·d² parameters
                ? ModelConfig.llama(vocab, hidden, layers, heads, heads, (8 * hidden / 3 + 7) / 8 * 8, maxPositions)
                : ModelConfig.gpt2(vocab, hidden, layers, heads, maxPositions);
        return mc.withTokens(tok.bosId().orElseThrow(), tok.eosId().isPresent() ? tok.eosId().getAsInt() : null);
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
        o.put("family", family);
        o.put("hidden", hidden);
        o.put("layers", layers);
        o.put("heads", heads);
        o.put("max_positions", maxPositions);
        o.put("pretrain_steps", pretrainSteps);
        o.put("pretrain_batch", pretrainBatch);
        o.put("pretrain_lr", pretrainLr);
        o.put("version", 2); // 2: fused AdamW and loss-row LM head (other float rounding, another model)
        return o;
    }

    public ObjectNode toJson() {
        return Json.MAPPER.valueToTree(this);
    }
}
