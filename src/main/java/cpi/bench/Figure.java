package cpi.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import cpi.util.Json;

/**
 * One benchmark result. status is "ok" (value measured), "missing" (the feature it measures is not
 * built yet, or an input is absent; note says which) or "failed" (note holds the error).
 */
public record Figure(String name, double value, String unit, String status, String note) {
    public static Figure ok(String name, double value, String unit, String note) {
        return new Figure(name, value, unit, "ok", note == null ? "" : note);
    }

    public static Figure missing(String name, String unit, String why) {
        return new Figure(name, Double.NaN, unit, "missing", why);
    }

    public static Figure failed(String name, String unit, Throwable t) {
        String msg = t.getClass().getSimpleName() + ": " + t.getMessage();
        return new Figure(name, Double.NaN, unit, "failed", msg);
    }

    public boolean measured() {
        return "ok".equals(status);
    }

    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("name", name);
        if (measured()) {
            o.put("value", value);
        } else {
            o.putNull("value");
        }
        o.put("unit", unit);
        o.put("status", status);
        o.put("note", note);
        return o;
    }
}
