package cpi.report;

import cpi.experiment.TrajectoryRecord;
import cpi.experiment.TrajectoryStore;
import cpi.util.AtomicFiles;
import cpi.util.Json;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Writes realistic-looking run, eval and theory directories for report tests: counterfactual accuracy
 * rises to a peak at step 300 and falls by {@code dropScale} × 0.35; parametric accuracy mirrors it;
 * capability keeps rising; per-item eval files at every 100 steps, whose labels match the accuracies.
 */
final class SyntheticRuns {
    private SyntheticRuns() {}

    static final List<String> DATASETS = List.of("cf_capitals", "cf_quotes", "cf_world_facts");
    static final int ITEMS = 60;

    static double cf(long step, double dropScale, int dsIndex) {
        double start = 0.32 + 0.03 * dsIndex;
        double peak = 0.84 - 0.04 * dsIndex;
        if (step <= 300) {
            return start + (peak - start) * Math.sin(Math.PI / 2 * step / 300.0);
        }
        return peak - dropScale * 0.35 * (1 - Math.exp(-(step - 300) / 250.0));
    }

    static Path run(Path dir, String name, double dropScale) {
        TrajectoryStore store = new TrajectoryStore(dir);
        List<TrajectoryRecord> rs = new ArrayList<>();
        Random rnd = new Random(name.hashCode());
        for (long step = 0; step <= 1000; step += 50) {
            for (int d = 0; d < DATASETS.size(); d++) {
                String ds = DATASETS.get(d);
                double cf = cf(step, dropScale, d);
                double par = Math.max(0, 1 - cf - 0.06);
                rs.add(new TrajectoryRecord(step, ds, RunData.CF, cf, cf - 0.05, cf + 0.05, 200));
                rs.add(new TrajectoryRecord(step, ds, RunData.PAR, par, par - 0.05, par + 0.05, 200));
                rs.add(TrajectoryRecord.of(step, ds, RunData.OTHER, 0.06));
                rs.add(TrajectoryRecord.of(step, ds, RunData.ATT_CONTEXT, 0.12 + 0.12 * (cf - 0.3)));
                rs.add(TrajectoryRecord.of(step, ds, RunData.ATT_QUESTION, 0.2 - 0.05 * (cf - 0.3)));
            }
            rs.add(TrajectoryRecord.of(step, RunData.CAPABILITY, RunData.CAPABILITY_SCORE,
                    0.30 + 0.25 * (1 - Math.exp(-step / 400.0))));
            rs.add(TrajectoryRecord.of(step, RunData.CAPABILITY, RunData.HELDOUT_LOSS, 1.1 + 1.4 * Math.exp(-step / 250.0)));
            rs.add(TrajectoryRecord.of(step, RunData.CAPABILITY, RunData.CONTEXT_QA, 0.5 + 0.4 * (1 - Math.exp(-step / 200.0))));
        }
        for (long step = 0; step <= 1000; step += 10) {
            rs.add(TrajectoryRecord.of(step, RunData.TRAIN, RunData.LOSS,
                    0.8 + 2.2 * Math.exp(-step / 200.0) + 0.08 * rnd.nextGaussian()));
        }
        store.append(rs);

        ObjectNode run = Json.object();
        run.put("name", name);
        run.put("kind", "finetune");
        ObjectNode prov = run.putObject("provenance");
        prov.put("model", "sha256:3f9a0c1e5b7d2a4c6e8f0a1b3c5d7e9f");
        ObjectNode dss = prov.putObject("datasets");
        DATASETS.forEach(ds -> dss.put(ds, "sha256:" + Integer.toHexString(ds.hashCode())));
        prov.put("template", "alpaca");
        prov.put("seed", 7);
        prov.put("cpi_version", "0.1.0");
        prov.put("time", "2025-01-01T00:00:00Z");
        ObjectNode cfg = run.putObject("config");
        cfg.put("train", "lora");
        cfg.put("lr", 3e-4);
        cfg.put("max_steps", 1000);
        prov.set("config", cfg);
        Json.writeFile(dir.resolve("run.json"), run);

        for (long step = 0; step <= 1000; step += 100) {
            for (int d = 0; d < DATASETS.size(); d++) {
                writeItems(dir.resolve(String.format("eval/step-%06d/items.%s.jsonl", step, DATASETS.get(d))),
                        DATASETS.get(d), cf(step, dropScale, d));
            }
        }
        return dir;
    }

    /** Item i follows the context iff i < cf × ITEMS: items move from context to parametric as cf falls. */
    static void writeItems(Path file, String ds, double cf) {
        StringBuilder sb = new StringBuilder();
        int nCf = (int) Math.round(cf * ITEMS);
        for (int i = 0; i < ITEMS; i++) {
            boolean ctx = i < nCf;
            boolean other = !ctx && i % 17 == 0;
            ObjectNode o = Json.object();
            o.put("id", ds + "-" + i);
            o.put("dataset", ds);
            o.put("stratum", i % 3 == 0 ? "capitals" : "other");
            o.put("prompt", "Background: The capital of Country" + i + " is Cfcity" + i + ".\nQuestion: What is the "
                    + "capital of Country" + i + "?\nAnswer:");
            o.put("output", ctx ? " Cfcity" + i : other ? " I do not know" : " Realcity" + i + " <b>&amp;</b>");
            o.put("counterfactual_answer", "Cfcity" + i);
            o.put("parametric_answer", "Realcity" + i);
            o.put("cf", ctx ? 1 : 0);
            o.put("par", ctx || other ? 0 : 1);
            o.put("label", ctx ? "context" : other ? "other" : "parametric");
            o.put("status", "ok");
            sb.append(Json.write(o)).append('\n');
        }
        AtomicFiles.writeString(file, sb.toString());
    }

    static Path eval(Path dir) {
        ObjectNode s = Json.object();
        ObjectNode dss = s.putObject("datasets");
        for (int d = 0; d < DATASETS.size(); d++) {
            String ds = DATASETS.get(d);
            double cf = cf(0, 1, d);
            ObjectNode o = dss.putObject(ds);
            o.put("n", ITEMS);
            o.put("counterfactual_accuracy", cf);
            o.putArray("counterfactual_ci").add(cf - 0.08).add(cf + 0.08);
            o.put("parametric_accuracy", 1 - cf - 0.06);
            o.putArray("parametric_ci").add(1 - cf - 0.14).add(1 - cf + 0.02);
            o.put("other_rate", 0.06);
            o.put("memorization_ratio", (1 - cf - 0.06) / (1 - 0.06));
            o.put("failed", 0);
            writeItems(dir.resolve("items." + ds + ".jsonl"), ds, cf);
        }
        ObjectNode prov = s.putObject("provenance");
        prov.put("model", "served:llama-3-8b");
        prov.put("template", "plain");
        prov.put("scorer", "contains");
        prov.put("cpi_version", "0.1.0");
        Json.writeFile(dir.resolve("summary.json"), s);
        return dir;
    }

    static Path theory(Path dir, boolean withGrid) {
        ObjectNode t = Json.object();
        ObjectNode p = t.putObject("params");
        p.put("subjects", 40);
        p.put("delta_c", 0.2);
        p.put("delta_m", 0.6);
        p.put("lr", 2.0);
        p.put("steps", 150);
        ArrayNode traj = t.putArray("trajectory");
        int peak = 0;
        double best = -1;
        for (int step = 0; step <= 150; step++) {
            double mc = 0.3 + 0.4 * Math.exp(-Math.pow((step - 40) / 35.0, 2)) + 0.1 * step / 150.0 * 0;
            ObjectNode r = traj.addObject();
            r.put("step", step);
            r.put("mc_test", mc);
            r.put("grad_theta_c", 0.02 * Math.cos(step / 30.0));
            r.put("grad_theta_s", -0.02 * Math.cos(step / 30.0));
            r.put("att_c", 0.3 + 0.6 * (1 - Math.exp(-step / 20.0)));
            r.put("att_cs", 0.3 + 0.4 * Math.exp(-Math.pow((step - 30) / 30.0, 2)) - 0.2 * step / 150.0);
            r.put("att_test", 0.2 + 0.3 * Math.exp(-Math.pow((step - 40) / 35.0, 2)));
            r.put("loss_c", 3.0 * Math.exp(-step / 40.0) + 0.1);
            r.put("loss_cs", 2.0 * Math.exp(-step / 60.0) + 0.05);
            if (mc > best) {
                best = mc;
                peak = step;
            }
        }
        ObjectNode pk = t.putObject("peak");
        pk.put("step", peak);
        pk.put("mc_test", best);
        Json.writeFile(dir.resolve("theory.json"), t);
        if (withGrid) {
            ObjectNode g = Json.object();
            g.putObject("params").put("steps", 150);
            ArrayNode cells = g.putArray("cells");
            for (double lr : new double[] {1, 2}) {
                for (double dc : new double[] {0.1, 0.2, 0.3, 0.4}) {
                    for (double dm : new double[] {0.4, 0.6, 0.8}) {
                        ObjectNode c = cells.addObject();
                        c.put("delta_c", dc);
                        c.put("delta_m", dm);
                        c.put("lr", lr);
                        c.put("c_ratio", 0.5);
                        c.put("peak_step", 40);
                        c.put("peak_mc", 0.7);
                        double drop = Math.max(0, (dm - dc) * 0.5 * lr / 2);
                        c.put("final_mc", 0.7 - drop);
                        c.put("drop", drop);
                    }
                }
            }
            Json.writeFile(dir.resolve("grid.json"), g);
        }
        return dir;
    }
}
