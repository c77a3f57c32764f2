package cpi.experiment;

import cpi.CpiVersion;
import cpi.util.Djl;
import cpi.util.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a result came from (the Tribuo idea): enough to tell two results apart and to redo one.
 *
 * @param model       a model fingerprint (sha256 of the weights) or a served model's name
 * @param datasets    dataset name → sha256 of its file(s)
 * @param template    prompt template name
 * @param seed        random seed, or null when none applies
 * @param config      the full configuration (flags) of the command
 * @param cpuKernels  which BLAS code path ran the matmuls ({@link Djl#cpuKernels}): it decides float rounding
 */
public record Provenance(String model, Map<String, String> datasets, String template, Long seed,
                        JsonNode config, String cpiVersion, String cpuKernels, String time) {

    public static Provenance of(String model, Map<String, String> datasets, String template, Long seed,
                                JsonNode config) {
        return new Provenance(model, new TreeMap<>(datasets), template, seed,
                config == null ? Json.object() : config, CpiVersion.VERSION, Djl.cpuKernels(), Instant.now().toString());
    }

    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("model", model);
        ObjectNode d = o.putObject("datasets");
        datasets.forEach(d::put);
        o.put("template", template);
        if (seed != null) {
            o.put("seed", seed);
        }
        o.set("config", config);
        o.put("cpi_version", cpiVersion);
        o.put("cpu_kernels", cpuKernels);
        o.put("time", time);
        return o;
    }
}
