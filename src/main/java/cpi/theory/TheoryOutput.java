package cpi.theory;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import cpi.experiment.Provenance;
import cpi.util.Json;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The theory result files (shared data contract, issue 5):
 * <ul>
 *   <li>{@code theory.json} = {"params", "trajectory": [{step, mc_test, grad_theta_c, grad_theta_s, att_c,
 *       att_cs, att_test, loss_c, loss_cs}, … steps 0..T], "peak": {step, mc_test}, "provenance"};</li>
 *   <li>{@code grid.json} = {"params", "cells": [{delta_c, delta_m, lr, c_ratio, peak_step, peak_mc, final_mc,
 *       drop}], "provenance"}.</li>
 * </ul>
 * Metrics undefined for a run (e.g. att_cs without C+S points) are written as null.
 */
public final class TheoryOutput {
    public static final String MODEL = "theory:one-layer-attention";

    private TheoryOutput() {}

    public static ObjectNode trajectoryJson(Trajectory t) {
        ObjectNode root = Json.object();
        root.set("params", t.params().toJson());
        ArrayNode rows = root.putArray("trajectory");
        for (StepMetrics m : t.steps()) {
            ObjectNode r = rows.addObject();
            r.put("step", m.step());
            num(r, "mc_test", m.mcTest());
            num(r, "grad_theta_c", m.gradThetaC());
            num(r, "grad_theta_s", m.gradThetaS());
            num(r, "att_c", m.attC());
            num(r, "att_cs", m.attCs());
            num(r, "att_test", m.attTest());
            num(r, "loss_c", m.lossC());
            num(r, "loss_cs", m.lossCs());
        }
        ObjectNode peak = root.putObject("peak");
        StepMetrics p = t.peak();
        if (p == null) {
            peak.putNull("step");
            peak.putNull("mc_test");
        } else {
            peak.put("step", p.step());
            num(peak, "mc_test", p.mcTest());
        }
        root.set("provenance", provenance(t.params().seed(), t.params().toJson()));
        return root;
    }

    public static ObjectNode gridJson(TheoryParams base, GridSpec spec, List<GridCell> cells) {
        ObjectNode root = Json.object();
        ObjectNode params = base.toJson();
        params.set("grid", spec.toJson());
        root.set("params", params);
        ArrayNode arr = root.putArray("cells");
        for (GridCell c : cells) {
            ObjectNode o = arr.addObject();
            o.put("delta_c", c.deltaC());
            o.put("delta_m", c.deltaM());
            o.put("lr", c.lr());
            o.put("c_ratio", c.cRatio());
            o.put("peak_step", c.peakStep());
            num(o, "peak_mc", c.peakMc());
            num(o, "final_mc", c.finalMc());
            num(o, "drop", c.drop());
        }
        root.set("provenance", provenance(base.seed(), params));
        return root;
    }

    private static ObjectNode provenance(long seed, ObjectNode config) {
        return Provenance.of(MODEL, Map.of(), null, seed, config).toJson();
    }

    public static void writeTrajectory(Path dir, Trajectory t) {
        Json.writeFile(dir.resolve("theory.json"), trajectoryJson(t));
    }

    public static void writeGrid(Path dir, TheoryParams base, GridSpec spec, List<GridCell> cells) {
        Json.writeFile(dir.resolve("grid.json"), gridJson(base, spec, cells));
    }

    /** JSON has no NaN: undefined metrics become null. */
    private static void num(ObjectNode o, String key, double v) {
        if (Double.isFinite(v)) {
            o.put(key, v);
        } else {
            o.putNull(key);
        }
    }
}
