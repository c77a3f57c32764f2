package cpi.bench;

/** Figures over whole features: scoring a dataset, the quick demo, the in-loop trajectory. */
final class EndToEndFigures {
    private EndToEndFigures() {}

    static Figure logprobItems(Bench.Ctx c) {
        return Figure.missing("logprob_cf_world_facts_items_per_s", "items/s", "evaluation (cpi.eval.Evaluator) is not on this branch yet");
    }

    static Figure demoQuick(Bench.Ctx c) {
        return Figure.missing("demo_quick_seconds", "s", "cpi demo --quick is not built yet");
    }

    static Figure trajectorySpeedup(Bench.Ctx c) {
        return Figure.missing("trajectory_speedup", "x", "finetuning (cpi.train.Finetune) is not on this branch yet");
    }
}
