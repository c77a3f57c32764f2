package cpi.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import cpi.model.Checkpoints;
import cpi.model.LoadedModel;
import cpi.model.ModelLoader;
import cpi.model.Tokenizer;
import cpi.model.Transformer;
import cpi.util.Json;
import cpi.util.UserError;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Model weights in and out of a checkpoint directory. Full and QK runs save the model in HF format at the
 * top level. LoRA runs save the merged weights at the top level (loadable by cpi and by HF) and the adapter
 * alone under {@code adapter/} as PEFT's adapter_config.json + adapter_model.safetensors.
 */
public final class ModelCheckpoint {
    public static final String ADAPTER_DIR = "adapter";

    private ModelCheckpoint() {}

    public static void save(Trainer trainer, Transformer t, Tokenizer tok, Path dir, String baseModel) throws IOException {
        if (trainer.adapters().isEmpty()) {
            Checkpoints.save(t, tok, dir, DataType.FLOAT32);
        } else {
            saveMerged(trainer, t, tok, dir);
            saveAdapter(trainer, dir.resolve(ADAPTER_DIR), baseModel);
        }
        trainer.saveState(dir);
    }

    /** Merges W + scale·BA into the weights, saves, and restores the exact original weights. */
    private static void saveMerged(Trainer trainer, Transformer t, Tokenizer tok, Path dir) {
        Map<String, NDArray> originals = new LinkedHashMap<>();
        try (NDManager m = t.manager().newSubManager()) {
            try {
                for (var e : trainer.adapters().entrySet()) {
                    NDArray w = t.parameters().get(trainer.adapterParameter(e.getKey()));
                    NDArray copy = w.duplicate();
                    copy.attach(m);
                    originals.put(trainer.adapterParameter(e.getKey()), copy);
                    w.addi(e.getValue().delta(m));
                }
                t.clearAdapters();
                Checkpoints.save(t, tok, dir, DataType.FLOAT32);
            } finally {
                originals.forEach((name, copy) -> copy.copyTo(t.parameters().get(name)));
                trainer.adapters().forEach((k, a) -> t.setAdapter(trainer.adapterParameter(k), a));
            }
        }
    }

    private static void saveAdapter(Trainer trainer, Path dir, String baseModel) throws IOException {
        Files.createDirectories(dir);
        LinkedHashMap<String, NDArray> tensors = new LinkedHashMap<>(trainer.trainable());
        TensorFile.write(dir.resolve("adapter_model.safetensors"), tensors, Map.of("format", "pt"));
        LoraOptions o = trainer.options().lora();
        TreeSet<String> modules = new TreeSet<>();
        for (String peft : trainer.adapters().keySet()) {
            modules.add(peft.substring(peft.lastIndexOf('.') + 1));
        }
        ObjectNode c = Json.object();
        c.put("peft_type", "LORA");
        c.put("task_type", "CAUSAL_LM");
        c.put("r", o.rank());
        c.put("lora_alpha", o.alpha());
        c.put("lora_dropout", o.dropout());
        ArrayNode tm = c.putArray("target_modules");
        modules.forEach(tm::add);
        c.put("bias", "none");
        c.put("fan_in_fan_out", false);
        c.put("inference_mode", true);
        c.put("base_model_name_or_path", baseModel);
        IoFaults.check("adapter_config");
        Files.writeString(dir.resolve("adapter_config.json"), Json.writePretty(c) + "\n");
    }

    /**
     * Restores model weights and trainer state from a checkpoint. Full/QK: the checkpoint's weights are
     * copied into the live model; LoRA: the base stays, the adapters come from the trainer state.
     */
    public static void load(Trainer trainer, Transformer t, Path dir) {
        if (trainer.adapters().isEmpty()) {
            try (NDManager m = t.manager().newSubManager()) {
                LoadedModel ck = ModelLoader.load(dir, m);
                for (var e : t.parameters().entrySet()) {
                    NDArray src = ck.transformer().parameters().get(e.getKey());
                    if (src == null) {
                        throw new UserError(dir + ": checkpoint lacks parameter " + e.getKey()
                                + " (it was written for another model; resume with the same --model)");
                    }
                    src.copyTo(e.getValue());
                }
            }
        }
        trainer.loadState(dir);
    }
}
