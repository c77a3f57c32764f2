package cpi.mitigate;

import com.fasterxml.jackson.databind.JsonNode;
import cpi.util.Json;
import cpi.util.UserError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The settings of a finished or planned cpi run (its run.json config), as far as a trainer hand-off needs
 * them. Every field is null when the run does not record it; keys are read in camelCase (the record
 * names cpi.train.FinetuneConfig writes) or snake_case.
 */
public record RunSettings(String model, String data, String mode, Double lr, Long maxSteps, Double epochs,
                          Integer saveEvery, Integer batchSize, Integer maxSeqLen, Long seed, Integer loraRank,
                          Double loraAlpha, Double loraDropout, List<String> loraTargets, Double warmupRatio) {

    public static RunSettings read(Path runDir) {
        Path f = runDir.resolve("run.json");
        if (!Files.isRegularFile(f)) {
            throw new UserError(runDir + ": no run.json (pass the --out directory of cpi finetune)");
        }
        JsonNode run = Json.read(f);
        JsonNode c = run.has("config") ? run.get("config")
                : run.path("provenance").has("config") ? run.path("provenance").get("config") : run;
        List<String> targets = null;
        JsonNode t = field(c, "loraTargets", "lora_targets");
        if (t != null && t.isArray()) {
            targets = new ArrayList<>();
            for (JsonNode x : t) {
                targets.add(x.asText());
            }
        }
        Long steps = asLong(field(c, "maxSteps", "max_steps"));
        return new RunSettings(text(field(c, "model")), text(field(c, "data")), text(field(c, "train", "mode")),
                asDouble(field(c, "lr", "learning_rate")), steps != null && steps > 0 ? steps : null,
                asDouble(field(c, "epochs")), asInt(field(c, "saveEvery", "save_every")),
                asInt(field(c, "batchSize", "batch_size")), asInt(field(c, "maxSeqLen", "max_seq_len")),
                asLong(field(c, "seed")), asInt(field(c, "loraRank", "lora_rank")),
                asDouble(field(c, "loraAlpha", "lora_alpha")), asDouble(field(c, "loraDropout", "lora_dropout")),
                targets, asDouble(field(c, "warmupRatio", "warmup_ratio")));
    }

    private static JsonNode field(JsonNode o, String... names) {
        for (String n : names) {
            JsonNode v = o.get(n);
            if (v != null && !v.isNull()) {
                return v;
            }
        }
        return null;
    }

    private static String text(JsonNode n) {
        return n == null ? null : n.asText();
    }

    private static Double asDouble(JsonNode n) {
        return n == null || !(n.isNumber() || n.isTextual()) ? null : n.asDouble();
    }

    private static Long asLong(JsonNode n) {
        return n == null || !(n.isNumber() || n.isTextual()) ? null : n.asLong();
    }

    private static Integer asInt(JsonNode n) {
        return n == null || !(n.isNumber() || n.isTextual()) ? null : n.asInt();
    }
}
