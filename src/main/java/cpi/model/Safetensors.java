package cpi.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import cpi.util.AtomicFiles;
import cpi.util.Json;
import cpi.util.UserError;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The safetensors format: u64 little-endian header length, a JSON header {name: {dtype, shape,
 * data_offsets}} plus "__metadata__", then raw little-endian tensor bytes. Reading memory-maps one
 * tensor at a time, so loading never holds a second full copy of the weights.
 */
public final class Safetensors {
    private Safetensors() {}

    /** One tensor's header entry; offsets are relative to the start of the data section. */
    public record Entry(String name, String dtype, long[] shape, long begin, long end) {
        public Shape djlShape() {
            return new Shape(shape);
        }
    }

    static int bytesPerElement(String dtype) {
        return switch (dtype) {
            case "F32" -> 4;
            case "F16", "BF16" -> 2;
            default -> -1;
        };
    }

    static DataType djlType(String dtype) {
        return switch (dtype) {
            case "F32" -> DataType.FLOAT32;
            case "F16" -> DataType.FLOAT16;
            case "BF16" -> DataType.BFLOAT16;
            default -> throw new IllegalArgumentException("unsupported dtype " + dtype);
        };
    }

    /** The safetensors dtype string for a DJL type (F32, F16, BF16). */
    public static String dtypeName(DataType t) {
        if (t == DataType.FLOAT32) {
            return "F32";
        }
        if (t == DataType.FLOAT16) {
            return "F16";
        }
        if (t == DataType.BFLOAT16) {
            return "BF16";
        }
        throw new IllegalArgumentException("cpi saves float32, float16 or bfloat16, not " + t);
    }

    /** An open safetensors file: validated header, tensors read on demand. */
    public static final class Reader implements AutoCloseable {
        private final Path file;
        private final FileChannel channel;
        private final long dataStart;
        private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();
        private final Map<String, String> metadata = new LinkedHashMap<>();

        private Reader(Path file) throws IOException {
            this.file = file;
            this.channel = FileChannel.open(file, StandardOpenOption.READ);
            try {
                parseHeader();
            } catch (RuntimeException e) {
                channel.close();
                throw e;
            }
            this.dataStart = 8 + headerLength;
        }

        private long headerLength;

        public static Reader open(Path file) {
            if (!Files.isRegularFile(file)) {
                throw new UserError(file + ": file not found (expected a safetensors weights file)");
            }
            try {
                return new Reader(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private void parseHeader() throws IOException {
            long size = channel.size();
            if (size < 8) {
                throw new UserError(file + ": truncated safetensors file (" + size
                        + " bytes, no header); re-download or re-save the model");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(lenBuf, 0);
            headerLength = lenBuf.getLong(0);
            if (headerLength < 2 || headerLength > size - 8) {
                throw new UserError(file + ": safetensors header length " + Long.toUnsignedString(headerLength)
                        + " is beyond the file size " + size + " (truncated or not a safetensors file); "
                        + "re-download or re-save the model");
            }
            if (headerLength > 100_000_000L) {
                throw new UserError(file + ": safetensors header of " + headerLength + " bytes is implausibly "
                        + "large (corrupt file); re-download or re-save the model");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLength);
            readFully(hb, 8);
            JsonNode root;
            try {
                root = Json.MAPPER.readTree(new String(hb.array(), StandardCharsets.UTF_8));
            } catch (JsonProcessingException e) {
                throw new UserError(file + ": corrupt safetensors header (not JSON: " + e.getOriginalMessage()
                        + "); re-download or re-save the model");
            }
            if (root == null || !root.isObject()) {
                throw new UserError(file + ": corrupt safetensors header (not a JSON object)");
            }
            long dataLen = size - 8 - headerLength;
            Iterator<Map.Entry<String, JsonNode>> it = root.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                String name = e.getKey();
                JsonNode v = e.getValue();
                if (name.equals("__metadata__")) {
                    v.fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                    continue;
                }
                String dtype = v.path("dtype").asText("");
                int bpe = bytesPerElement(dtype);
                if (bpe < 0) {
                    throw new UserError(file + ": tensor " + name + " has dtype '" + dtype
                            + "'; cpi reads F32, F16 and BF16 weights (convert the checkpoint)");
                }
                JsonNode shapeNode = v.path("shape");
                JsonNode offs = v.path("data_offsets");
                if (!shapeNode.isArray() || !offs.isArray() || offs.size() != 2) {
                    throw new UserError(file + ": tensor " + name + " has no valid shape/data_offsets in the "
                            + "header (corrupt file); re-download or re-save the model");
                }
                long[] shape = new long[shapeNode.size()];
                long count = 1;
                long nonZero = 1; // torch computes strides from these even when a dim is 0
                for (int i = 0; i < shape.length; i++) {
                    JsonNode dimNode = shapeNode.get(i);
                    shape[i] = dimNode.asLong(-1);
                    if (!dimNode.canConvertToLong() || shape[i] < 0 || shape[i] > Integer.MAX_VALUE) {
                        throw new UserError(file + ": tensor " + name + " has an invalid dimension " + dimNode
                                + " (corrupt file); re-download or re-save the model");
                    }
                    count *= shape[i];
                    nonZero *= Math.max(1, shape[i]);
                    if (nonZero > (1L << 48)) {
                        throw new UserError(file + ": tensor " + name + " has an implausible shape "
                                + shapeNode + " (corrupt file); re-download or re-save the model");
                    }
                }
                long begin = offs.get(0).asLong();
                long end = offs.get(1).asLong();
                if (begin < 0 || end < begin || end > dataLen) {
                    throw new UserError(file + ": tensor " + name + " data offsets [" + begin + ", " + end
                            + "] are out of range (data section is " + dataLen + " bytes; truncated or corrupt "
                            + "file); re-download or re-save the model");
                }
                if (end - begin != count * bpe) {
                    throw new UserError(file + ": tensor " + name + " has shape " + java.util.Arrays.toString(shape)
                            + " and dtype " + dtype + " (" + count * bpe + " bytes) but its offsets span "
                            + (end - begin) + " bytes (shape/dtype mismatch; corrupt file)");
                }
                entries.put(name, new Entry(name, dtype, shape, begin, end));
            }
        }

        private void readFully(ByteBuffer buf, long pos) throws IOException {
            while (buf.hasRemaining()) {
                int n = channel.read(buf, pos + buf.position());
                if (n < 0) {
                    throw new UserError(file + ": unexpected end of file (truncated)");
                }
            }
        }

        public Path file() {
            return file;
        }

        public Set<String> names() {
            return entries.keySet();
        }

        public Entry entry(String name) {
            return entries.get(name);
        }

        public Map<String, String> metadata() {
            return metadata;
        }

        /** Reads one tensor as a float32 array owned by {@code manager} (a copy, not the file mapping). */
        public NDArray readFloat32(String name, NDManager manager) {
            Entry e = entries.get(name);
            if (e == null) {
                throw new UserError(file + ": missing tensor " + name + " (the file does not match config.json)");
            }
            long len = e.end() - e.begin();
            Shape shape = e.djlShape();
            if (len == 0) {
                return manager.zeros(shape, DataType.FLOAT32);
            }
            try {
                ByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, dataStart + e.begin(), len)
                        .order(ByteOrder.LITTLE_ENDIAN);
                if (e.dtype().equals("BF16")) {
                    // DJL's PyTorch binding cannot wrap bf16 buffers; widen in Java (exact: bf16 is the top
                    // half of an f32).
                    return manager.create(Bf16.toFloat(mapped.asShortBuffer(), (int) (len / 2)), shape);
                }
                try (NDManager tmp = manager.newSubManager()) {
                    // The view aliases the read-only mapping; the result must be a real copy.
                    NDArray view = tmp.create(mapped, shape, djlType(e.dtype()));
                    NDArray out = e.dtype().equals("F32") ? view.duplicate() : view.toType(DataType.FLOAT32, true);
                    out.attach(manager);
                    return out;
                }
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }

        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // read-only channel
            }
        }
    }

    /** One tensor to write: its bytes are produced only when the writer reaches it. */
    public record Pending(String name, String dtype, long[] shape, Supplier<byte[]> bytes) {}

    /**
     * Writes a HF-valid safetensors file (header padded with spaces to 8 bytes, "__metadata__"
     * {"format": "pt"}); tensors are produced and written one at a time.
     */
    public static void write(Path file, List<Pending> tensors) {
        ObjectNode header = Json.object();
        header.putObject("__metadata__").put("format", "pt");
        long offset = 0;
        for (Pending p : tensors) {
            long count = 1;
            for (long d : p.shape()) {
                count *= d;
            }
            long len = count * bytesPerElement(p.dtype());
            ObjectNode e = header.putObject(p.name());
            e.put("dtype", p.dtype());
            ArrayNode sh = e.putArray("shape");
            for (long d : p.shape()) {
                sh.add(d);
            }
            e.putArray("data_offsets").add(offset).add(offset + len);
            offset += len;
        }
        byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] headerBytes = new byte[padded];
        System.arraycopy(json, 0, headerBytes, 0, json.length);
        java.util.Arrays.fill(headerBytes, json.length, padded, (byte) ' ');
        AtomicFiles.write(file, tmp -> {
            try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, padded);
                out.write(len.array());
                out.write(headerBytes);
                for (Pending p : tensors) {
                    out.write(p.bytes().get());
                }
            }
        });
    }
}
