package cpi.eval;

import cpi.util.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One evaluated item as written to items.NAME.jsonl: the prompt, the output (empty for logprob), the two
 * answers, the verdict, and status ok | failed (with the error). model/template/scorer guard a resume
 * against mixing settings. Log-likelihoods are NaN unless the logprob scorer ran.
 */
public record ItemResult(String id, String dataset, String stratum, String prompt, String output,
                         String counterfactualAnswer, String parametricAnswer, boolean cf, boolean par, String label,
                         String status, String error, double cfLogLikelihood, double parLogLikelihood,
                         String model, String template, String scorer) {
    public static final String OK = "ok";
    public static final String FAILED = "failed";

    public boolean ok() {
        return OK.equals(status);
    }

    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("id", id);
        o.put("dataset", dataset);
        o.put("stratum", stratum);
        o.put("status", status);
        o.put("label", label);
        o.put("cf", cf ? 1 : 0);
        o.put("par", par ? 1 : 0);
        o.put("counterfactual_answer", counterfactualAnswer);
        o.put("parametric_answer", parametricAnswer);
        o.put("output", output);
        if (!Double.isNaN(cfLogLikelihood)) {
            o.put("cf_logprob", cfLogLikelihood);
            o.put("par_logprob", parLogLikelihood);
        }
        if (error != null) {
            o.put("error", error);
        }
        o.put("prompt", prompt);
        o.put("model", model);
        o.put("template", template);
        o.put("scorer", scorer);
        return o;
    }

    /** Parses a record written by {@link #toJson}; null when required fields are missing (a torn line). */
    public static ItemResult fromJson(JsonNode o) {
        if (!o.hasNonNull("id") || !o.hasNonNull("status")) {
            return null;
        }
        return new ItemResult(o.get("id").asText(), o.path("dataset").asText(""), o.path("stratum").asText("all"),
                o.path("prompt").asText(""), o.path("output").asText(""), o.path("counterfactual_answer").asText(""),
                o.path("parametric_answer").asText(""), o.path("cf").asInt(0) == 1, o.path("par").asInt(0) == 1,
                o.path("label").asText(Judgement.OTHER), o.get("status").asText(),
                o.hasNonNull("error") ? o.get("error").asText() : null, o.path("cf_logprob").asDouble(Double.NaN),
                o.path("par_logprob").asDouble(Double.NaN), o.path("model").asText(""),
                o.path("template").asText(""), o.path("scorer").asText(""));
    }
}
