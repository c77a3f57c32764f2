package cpi.eval;

import cpi.data.ConflictItem;
import cpi.data.Dataset;
import cpi.model.GenerationOptions;
import cpi.model.TextModel;
import cpi.util.Progress;
import cpi.util.UserError;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Runs a model over a conflict dataset in batches and scores it. With an output directory it appends each
 * finished batch to items.NAME.jsonl and, when run again, redoes only items that are missing or failed.
 * Failures of a served model are per item: the item is marked failed and metrics cover completed items.
 */
public final class Evaluator {
    private int lastAttempted;

    /** Items sent to the model by the last {@link #evaluate} call (resumed items are not counted). */
    public int lastAttempted() {
        return lastAttempted;
    }

    public static String itemsFileName(String dataset) {
        return "items." + dataset + ".jsonl";
    }

    public EvalResult evaluate(TextModel model, Dataset dataset, PromptTemplate template, String scorerName,
                               EvalOptions opts) {
        Scorer scorer = Scorers.get(scorerName);
        Dataset ds = dataset.limit(opts.limit());
        ItemStore store = opts.outDir() == null ? null
                : new ItemStore(opts.outDir().resolve(itemsFileName(ds.name())));
        Map<String, ItemResult> done = store == null ? new LinkedHashMap<>() : store.read();
        checkSameSettings(done, store, model.fingerprint(), template.name(), scorer.name());

        List<ConflictItem> todo = new ArrayList<>();
        long alreadyOk = 0;
        for (ConflictItem it : ds.items()) {
            ItemResult r = done.get(it.id());
            if (r != null && r.ok()) {
                alreadyOk++;
            } else {
                todo.add(it);
            }
        }
        int failedBatches = 0;
        String lastError = null;
        int attempted = 0;
        try (Progress bar = opts.progress() ? Progress.start("eval " + ds.name(), ds.items().size()) : null) {
            if (bar != null) {
                bar.stepBy(alreadyOk);
            }
            for (int start = 0; start < todo.size(); start += opts.batchSize()) {
                List<ConflictItem> batch = todo.subList(start, Math.min(todo.size(), start + opts.batchSize()));
                List<ItemResult> results = runBatch(model, ds.name(), batch, template, scorer, opts);
                attempted += batch.size();
                if (store != null) {
                    store.append(results);
                }
                results.forEach(r -> done.put(r.id(), r));
                boolean allFailed = results.stream().noneMatch(ItemResult::ok);
                if (allFailed) {
                    failedBatches++;
                    lastError = results.get(0).error();
                } else {
                    failedBatches = 0;
                }
                if (bar != null) {
                    bar.stepBy(results.stream().filter(ItemResult::ok).count());
                }
                if (failedBatches >= opts.maxFailedBatches() && attempted < todo.size()) {
                    System.err.println("eval: " + ds.name() + ": stopping after " + failedBatches
                            + " failed batches in a row (last error: " + lastError + "); " + (todo.size() - attempted)
                            + " items not attempted. Re-run with the same --out to resume.");
                    break;
                }
            }
        }
        lastAttempted = attempted;
        List<ItemResult> ordered = new ArrayList<>();
        for (ConflictItem it : ds.items()) {
            ItemResult r = done.get(it.id());
            if (r != null) {
                ordered.add(r);
            }
        }
        if (store != null) {
            // Keep records of items outside this run's --limit too, so a smaller limit never loses work.
            List<ItemResult> all = new ArrayList<>(ordered);
            java.util.Set<String> inRun = new java.util.HashSet<>();
            ds.items().forEach(it -> inRun.add(it.id()));
            done.forEach((id, r) -> {
                if (!inRun.contains(id)) {
                    all.add(r);
                }
            });
            store.rewrite(all);
        }
        return result(ds, model.fingerprint(), template.name(), scorer.name(), ordered, opts);
    }

    static EvalResult result(Dataset ds, String model, String template, String scorer, List<ItemResult> ordered,
                             EvalOptions opts) {
        int total = ds.items().size();
        List<ItemResult> ok = ordered.stream().filter(ItemResult::ok).toList();
        Metrics overall = Metrics.of(ok, total - ok.size(), opts.bootstrap(), opts.seed());
        Map<String, List<ItemResult>> byStratumOk = new TreeMap<>();
        Map<String, Integer> byStratumTotal = new TreeMap<>();
        for (ConflictItem it : ds.items()) {
            byStratumTotal.merge(it.stratum(), 1, Integer::sum);
            byStratumOk.computeIfAbsent(it.stratum(), k -> new ArrayList<>());
        }
        for (ItemResult r : ok) {
            byStratumOk.computeIfAbsent(r.stratum(), k -> new ArrayList<>()).add(r);
        }
        Map<String, Metrics> strata = new LinkedHashMap<>();
        byStratumOk.forEach((s, rs) -> strata.put(s, Metrics.of(rs,
                byStratumTotal.getOrDefault(s, rs.size()) - rs.size(), opts.bootstrap(), opts.seed())));
        return new EvalResult(ds.name(), ds.fingerprint(), model, template, scorer, total, overall, strata, ordered);
    }

    private List<ItemResult> runBatch(TextModel model, String dsName, List<ConflictItem> batch,
                                      PromptTemplate template, Scorer scorer, EvalOptions opts) {
        List<String> prompts = batch.stream().map(it -> template.prompt(it.question(), it.context())).toList();
        int n = batch.size();
        String[] outputs = new String[n];
        double[] cfLl = new double[n];
        double[] parLl = new double[n];
        String[] errors = new String[n];
        java.util.Arrays.fill(cfLl, Double.NaN);
        java.util.Arrays.fill(parLl, Double.NaN);
        try {
            if (scorer.usesLogLikelihood()) {
                List<String> ps = new ArrayList<>(2 * n);
                List<String> conts = new ArrayList<>(2 * n);
                for (int i = 0; i < n; i++) {
                    ps.add(prompts.get(i));
                    conts.add(template.target(batch.get(i).counterfactualAnswer()));
                    ps.add(prompts.get(i));
                    conts.add(template.target(batch.get(i).parametricAnswer()));
                }
                double[] ll;
                String[] pairErrors = new String[2 * n];
                try {
                    ll = model.logLikelihood(ps, conts);
                } catch (PartialFailure pf) {
                    ll = pf.logLikelihoods();
                    pairErrors = pf.errors().toArray(new String[0]);
                }
                for (int i = 0; i < n; i++) {
                    String e = pairErrors[2 * i] != null ? pairErrors[2 * i] : pairErrors[2 * i + 1];
                    if (e != null) {
                        errors[i] = e;
                    } else {
                        cfLl[i] = ll[2 * i];
                        parLl[i] = ll[2 * i + 1];
                        outputs[i] = "";
                    }
                }
            } else {
                GenerationOptions g = GenerationOptions.greedy(opts.maxNewTokens(), template.stopStrings());
                List<String> outs;
                List<String> errs = null;
                try {
                    outs = model.generate(prompts, g);
                } catch (PartialFailure pf) {
                    outs = pf.outputs();
                    errs = pf.errors();
                }
                for (int i = 0; i < n; i++) {
                    if (errs != null && errs.get(i) != null) {
                        errors[i] = errs.get(i);
                    } else {
                        outputs[i] = outs.get(i) == null ? "" : outs.get(i);
                    }
                }
            }
        } catch (UserError e) {
            throw e;
        } catch (RuntimeException e) {
            String msg = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            java.util.Arrays.fill(errors, msg);
        }
        List<ItemResult> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ConflictItem it = batch.get(i);
            if (errors[i] != null) {
                out.add(new ItemResult(it.id(), dsName, it.stratum(), prompts.get(i), "", it.counterfactualAnswer(),
                        it.parametricAnswer(), false, false, Judgement.OTHER, ItemResult.FAILED, errors[i], Double.NaN,
                        Double.NaN, model.fingerprint(), template.name(), scorer.name()));
                continue;
            }
            Judgement j = scorer.usesLogLikelihood() ? Judgement.fromLogLikelihoods(cfLl[i], parLl[i])
                    : scorer.judge(it, outputs[i]);
            out.add(new ItemResult(it.id(), dsName, it.stratum(), prompts.get(i), outputs[i],
                    it.counterfactualAnswer(), it.parametricAnswer(), j.cf(), j.par(), j.label(), ItemResult.OK, null,
                    cfLl[i], parLl[i], model.fingerprint(), template.name(), scorer.name()));
        }
        return out;
    }

    private static void checkSameSettings(Map<String, ItemResult> done, ItemStore store, String model,
                                          String template, String scorer) {
        for (ItemResult r : done.values()) {
            if (!r.ok()) {
                continue;
            }
            if (!r.model().equals(model) || !r.template().equals(template) || !r.scorer().equals(scorer)) {
                Path f = store.file();
                throw new UserError(f + " holds results of model " + r.model() + ", template " + r.template()
                        + ", scorer " + r.scorer() + "; this run uses " + model + ", " + template + ", " + scorer
                        + " (use another --out directory, or the same settings to resume)");
            }
            return;
        }
    }
}
