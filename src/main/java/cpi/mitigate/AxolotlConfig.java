package cpi.mitigate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import cpi.CpiVersion;
import cpi.util.Json;
import cpi.util.UserError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The scale-out hand-off: an axolotl YAML for the same run cpi would do on one machine (full, LoRA or
 * QK-only finetuning), naming modules by each family's Hugging Face parameter names.
 *
 * <p>QK-only uses axolotl's {@code unfrozen_parameters} (regexes over parameter names, periods literal).
 * GPT-NeoX ({@code query_key_value}) and GPT-2 ({@code c_attn}) store Q, K and V as one fused matrix, so
 * "Q and K but not V" cannot be named: the config falls back to unfreezing the fused QKV and says so in a
 * warning (returned, and written as a comment at the top of the file).
 */
public final class AxolotlConfig {
    public enum Family { LLAMA, MISTRAL, GPT_NEOX, GPT2 }

    public enum Mode { FULL, LORA, QK }

    /** The run to hand off. maxSteps &gt; 0 wins over epochs. */
    public record Spec(String baseModel, Family family, Path data, MixtureExport.Format dataFormat, Mode mode,
                       double learningRate, int epochs, int maxSteps, int saveSteps, int microBatchSize,
                       int gradientAccumulation, int sequenceLength, int warmupSteps, int loraR, int loraAlpha,
                       double loraDropout, long seed, String outputDir) {}

    public record Result(String yaml, ObjectNode config, List<String> warnings) {}

    private AxolotlConfig() {}

    /** The family from a model directory's config.json {@code model_type} (llama-like types map to LLAMA). */
    public static Family detectFamily(Path modelDir) {
        Path cfg = modelDir.resolve("config.json");
        if (!Files.isRegularFile(cfg)) {
            throw new UserError(modelDir + ": no config.json to read the model family from; pass --family "
                    + "llama|mistral|gpt_neox|gpt2");
        }
        String type = Json.read(cfg).path("model_type").asText("");
        return switch (type) {
            case "llama", "qwen2", "qwen3", "gemma", "gemma2", "olmo", "olmo2", "smollm" -> Family.LLAMA;
            case "mistral", "mixtral" -> Family.MISTRAL;
            case "gpt_neox" -> Family.GPT_NEOX;
            case "gpt2" -> Family.GPT2;
            default -> throw new UserError(cfg + ": model_type '" + type + "' is not one cpi knows; pass --family "
                    + "llama|mistral|gpt_neox|gpt2 (the one whose parameter names it shares)");
        };
    }

    public static Family parseFamily(String s) {
        try {
            return Family.valueOf(s.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new UserError("--family must be llama, mistral, gpt_neox or gpt2, got '" + s + "'");
        }
    }

    /** Regexes (axolotl syntax: periods are literal) for the parameters QK-only training updates. */
    public static List<String> qkParameters(Family f) {
        return switch (f) {
            case LLAMA, MISTRAL -> List.of("model.layers.[0-9]+.self_attn.(q_proj|k_proj).weight");
            case GPT_NEOX -> List.of("gpt_neox.layers.[0-9]+.attention.query_key_value.(weight|bias)");
            case GPT2 -> List.of("transformer.h.[0-9]+.attn.c_attn.(weight|bias)");
        };
    }

    /** Whether QK-only can be expressed exactly (separate Q and K matrices). */
    public static boolean qkExact(Family f) {
        return f == Family.LLAMA || f == Family.MISTRAL;
    }

    /** Modules LoRA adapts: the attention projections (just Q and K for QK mode, where they are separate). */
    public static List<String> loraTargets(Family f, Mode mode) {
        return switch (f) {
            case LLAMA, MISTRAL -> mode == Mode.QK ? List.of("q_proj", "k_proj")
                    : List.of("q_proj", "k_proj", "v_proj", "o_proj");
            case GPT_NEOX -> mode == Mode.QK ? List.of("query_key_value") : List.of("query_key_value", "dense");
            case GPT2 -> mode == Mode.QK ? List.of("c_attn") : List.of("c_attn", "c_proj");
        };
    }

    /**
     * cpi's LoRA target short names (q, k, v, o, and mlp names gate/up/down) as this family's module names;
     * fused families map q, k and v to the one fused module.
     */
    public static List<String> loraTargets(Family f, List<String> cpiNames) {
        java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
        for (String n : cpiNames) {
            String k = n.trim().toLowerCase(Locale.ROOT);
            String m = switch (f) {
                case LLAMA, MISTRAL -> switch (k) {
                    case "q", "k", "v", "o" -> k + "_proj";
                    case "gate", "up", "down" -> k + "_proj";
                    default -> k;
                };
                case GPT_NEOX -> switch (k) {
                    case "q", "k", "v" -> "query_key_value";
                    case "o" -> "dense";
                    case "up" -> "dense_h_to_4h";
                    case "down" -> "dense_4h_to_h";
                    default -> k;
                };
                case GPT2 -> switch (k) {
                    case "q", "k", "v" -> "c_attn";
                    case "o" -> "c_proj";
                    case "up" -> "c_fc";
                    default -> k;
                };
            };
            out.add(m);
        }
        return List.copyOf(out);
    }

    public static Result build(Spec s) {
        return build(s, null);
    }

    /** As {@link #build(Spec)}, with LoRA target modules given in cpi's short names (null: the defaults). */
    public static Result build(Spec s, List<String> cpiLoraTargets) {
        List<String> warnings = new ArrayList<>();
        ObjectNode o = Json.object();
        o.put("base_model", s.baseModel());
        o.put("model_type", "AutoModelForCausalLM");
        o.put("tokenizer_type", "AutoTokenizer");
        ArrayNode ds = o.putArray("datasets");
        ObjectNode d = ds.addObject();
        d.put("path", s.data().toString());
        d.put("ds_type", "json");
        if (s.dataFormat() == MixtureExport.Format.ALPACA) {
            d.put("type", "alpaca");
        } else {
            d.put("type", "chat_template");
            d.put("field_messages", "messages");
        }
        o.put("val_set_size", 0);
        o.put("output_dir", s.outputDir());
        o.put("sequence_len", s.sequenceLength());
        o.put("sample_packing", false);
        // cpi puts the loss on the response only; so does axolotl without train_on_inputs.
        o.put("train_on_inputs", false);
        o.put("micro_batch_size", s.microBatchSize());
        o.put("gradient_accumulation_steps", s.gradientAccumulation());
        if (s.maxSteps() > 0) {
            o.put("max_steps", s.maxSteps());
        } else {
            o.put("num_epochs", s.epochs());
        }
        o.put("optimizer", "adamw_torch");
        o.put("lr_scheduler", "cosine");
        o.put("learning_rate", s.learningRate());
        o.put("warmup_steps", s.warmupSteps());
        o.put("weight_decay", 0.0);
        o.put("save_steps", s.saveSteps());
        o.put("save_safetensors", true);
        o.put("seed", s.seed());
        o.put("bf16", "auto");
        o.put("gradient_checkpointing", true);
        o.put("logging_steps", 10);
        switch (s.mode()) {
            case FULL -> { }
            case LORA -> lora(o, s, cpiLoraTargets == null ? loraTargets(s.family(), Mode.LORA)
                    : loraTargets(s.family(), cpiLoraTargets));
            case QK -> {
                ArrayNode u = o.putArray("unfrozen_parameters");
                qkParameters(s.family()).forEach(u::add);
                if (!qkExact(s.family())) {
                    String fused = s.family() == Family.GPT_NEOX ? "query_key_value" : "c_attn";
                    warnings.add(s.family().name().toLowerCase(Locale.ROOT) + " stores Q, K and V fused in one '"
                            + fused + "' matrix, so QK-only cannot be expressed by parameter name: this config "
                            + "unfreezes the whole fused QKV (V too). For exact QK-only use cpi finetune --mode qk, "
                            + "or a llama/mistral-family model.");
                }
            }
            default -> throw new IllegalStateException();
        }
        return new Result(header(s, warnings) + yaml(o), o, List.copyOf(warnings));
    }

    private static void lora(ObjectNode o, Spec s, List<String> targets) {
        o.put("adapter", "lora");
        o.put("lora_r", s.loraR());
        o.put("lora_alpha", s.loraAlpha());
        o.put("lora_dropout", s.loraDropout());
        ArrayNode t = o.putArray("lora_target_modules");
        targets.forEach(t::add);
        if (s.family() == Family.GPT2) {
            o.put("lora_fan_in_fan_out", true); // GPT-2's Conv1D stores weights as [in, out]
        }
    }

    private static String header(Spec s, List<String> warnings) {
        StringBuilder b = new StringBuilder();
        b.append("# axolotl config written by cpi ").append(CpiVersion.VERSION).append(" (cpi export-config)\n");
        b.append("# mode: ").append(s.mode().name().toLowerCase(Locale.ROOT)).append(", family: ")
                .append(s.family().name().toLowerCase(Locale.ROOT)).append('\n');
        b.append("# train:  axolotl train THIS.yaml   (or: accelerate launch -m axolotl.cli.train THIS.yaml)\n");
        b.append("# back in cpi: cpi sweep ").append(s.outputDir())
                .append(" ...   evaluates the saved checkpoint-N directories into a trajectory\n");
        for (String w : warnings) {
            b.append("# WARNING: ").append(w).append('\n');
        }
        return b.toString();
    }

    static String yaml(JsonNode o) {
        YAMLMapper m = new YAMLMapper(new YAMLFactory()
                .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));
        try {
            return m.writeValueAsString(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses YAML (for tests and for reading a config back). */
    public static JsonNode parse(String yaml) {
        try {
            return new YAMLMapper().readTree(yaml);
        } catch (IOException e) {
            throw new UserError("malformed YAML: " + e.getMessage());
        }
    }
}
