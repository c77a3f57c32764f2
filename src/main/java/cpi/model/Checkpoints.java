package cpi.model;

import ai.djl.ndarray.types.DataType;
import cpi.util.Hashing;
import cpi.util.Json;
import cpi.util.UserError;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;

/** Writes HF model directories (config.json, model.safetensors, tokenizer files) and fingerprints them. */
public final class Checkpoints {
    private Checkpoints() {}

    /**
     * Saves a model as a HF directory: config.json (torch_dtype = dtype), model.safetensors in HF tensor
     * layout (fused/Conv1D layouts restored), and the tokenizer's files when given. Files are written
     * atomically; other files in outDir are left alone.
     *
     * @param dtype FLOAT32, FLOAT16 or BFLOAT16
     */
    public static void save(Transformer t, Tokenizer tokOrNull, Path outDir, DataType dtype) {
        String torchDtype = torchDtypeName(dtype);
        try {
            Files.createDirectories(outDir);
        } catch (IOException e) {
            throw new UserError("could not create " + outDir + ": " + e.getMessage());
        }
        Safetensors.write(outDir.resolve(WeightFiles.SINGLE), HfLayout.save(t, dtype));
        Json.writeFile(outDir.resolve("config.json"), t.config().withTorchDtype(torchDtype).toHfJson());
        if (tokOrNull != null) {
            tokOrNull.saveTo(outDir);
        }
    }

    public static String torchDtypeName(DataType dtype) {
        if (dtype == DataType.FLOAT32) {
            return "float32";
        }
        if (dtype == DataType.FLOAT16) {
            return "float16";
        }
        if (dtype == DataType.BFLOAT16) {
            return "bfloat16";
        }
        throw new IllegalArgumentException("cpi saves float32, float16 or bfloat16, not " + dtype);
    }

    /** Parses "float32"/"f32"/"fp16"/"bf16"... as a DJL type. */
    public static DataType parseDtype(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "float32", "f32", "fp32" -> DataType.FLOAT32;
            case "float16", "f16", "fp16", "half" -> DataType.FLOAT16;
            case "bfloat16", "bf16" -> DataType.BFLOAT16;
            default -> throw new UserError("unknown dtype '" + s + "' (use float32, float16 or bfloat16)");
        };
    }

    /**
     * "sha256:" of the weight bytes: the safetensors file, the shards concatenated in name order, or a
     * llama2.c .bin file.
     */
    public static String fingerprint(Path dirOrFile) {
        if (Files.isRegularFile(dirOrFile)) {
            return "sha256:" + Hashing.sha256(dirOrFile);
        }
        List<Path> files = WeightFiles.files(dirOrFile);
        if (files.size() == 1) {
            return "sha256:" + Hashing.sha256(files.get(0));
        }
        MessageDigest md = Hashing.sha256();
        byte[] buf = new byte[1 << 16];
        for (Path f : files) {
            try (InputStream in = Files.newInputStream(f)) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    md.update(buf, 0, n);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return "sha256:" + Hashing.hex(md.digest());
    }

}
