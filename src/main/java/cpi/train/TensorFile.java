package cpi.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import cpi.util.Json;
import cpi.util.UserError;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Float32 tensors in the safetensors format (8-byte little-endian header length, JSON header, raw
 * little-endian data), for optimizer state and PEFT adapters: files any safetensors reader opens.
 */
public final class TensorFile {
    private TensorFile() {}

    public static void write(Path file, Map<String, NDArray> tensors, Map<String, String> metadata) throws IOException {
        ObjectNode header = Json.object();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode md = header.putObject("__metadata__");
            metadata.forEach(md::put);
        }
        long offset = 0;
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            long bytes = e.getValue().size() * 4L;
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", "F32");
            var shape = t.putArray("shape");
            for (long d : e.getValue().getShape().getShape()) {
                shape.add(d);
            }
            t.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] h = Json.write(header).getBytes(StandardCharsets.UTF_8);
        int pad = (8 - h.length % 8) % 8; // data starts 8-byte aligned, like the reference writer
        ByteBuffer head = ByteBuffer.allocate(8 + h.length + pad).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(h.length + pad).put(h);
        for (int i = 0; i < pad; i++) {
            head.put((byte) ' ');
        }
        head.flip();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            writeFully(ch, head);
            IoFaults.check("write"); // tests: a disk that fills up mid-file
            for (NDArray a : tensors.values()) {
                NDArray f = a.getDataType() == DataType.FLOAT32 ? a : a.toType(DataType.FLOAT32, false);
                ByteBuffer raw = f.toByteBuffer();
                ByteBuffer le = ByteBuffer.allocate(raw.remaining()).order(ByteOrder.LITTLE_ENDIAN);
                le.asFloatBuffer().put(raw.order(ByteOrder.nativeOrder()).asFloatBuffer());
                if (f != a) {
                    f.close();
                }
                writeFully(ch, le);
            }
            ch.force(true);
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** Reads all tensors into {@code manager}; a malformed file is a UserError naming it. */
    public static LinkedHashMap<String, NDArray> read(Path file, NDManager manager) {
        LinkedHashMap<String, NDArray> out = new LinkedHashMap<>();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long hlen = lenBuf.flip().getLong();
            if (hlen <= 0 || 8 + hlen > size || hlen > 100_000_000) {
                throw new UserError(file + ": bad safetensors header length " + hlen + " (file truncated or corrupt)");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) hlen);
            readFully(ch, hb, 8);
            JsonNode header = Json.MAPPER.readTree(new String(hb.array(), StandardCharsets.UTF_8).strip());
            long base = 8 + hlen;
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    continue;
                }
                JsonNode t = e.getValue();
                if (!"F32".equals(t.path("dtype").asText())) {
                    throw new UserError(file + ": tensor " + e.getKey() + " has dtype " + t.path("dtype").asText()
                            + "; expected F32");
                }
                long[] shape = new long[t.path("shape").size()];
                long count = 1;
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = t.get("shape").get(i).asLong();
                    count *= shape[i];
                }
                long from = t.path("data_offsets").path(0).asLong(-1);
                long to = t.path("data_offsets").path(1).asLong(-1);
                if (from < 0 || to - from != count * 4 || base + to > size) {
                    throw new UserError(file + ": tensor " + e.getKey() + " has offsets [" + from + ", " + to
                            + "] that do not match its shape or the file size (file truncated or corrupt)");
                }
                ByteBuffer data = ByteBuffer.allocateDirect((int) (to - from)).order(ByteOrder.LITTLE_ENDIAN);
                readFully(ch, data, base + from);
                data.flip();
                float[] f = new float[(int) count];
                data.asFloatBuffer().get(f);
                out.put(e.getKey(), manager.create(f, new Shape(shape)));
            }
        } catch (UserError e) {
            throw e;
        } catch (IOException e) {
            throw new UserError(file + ": unreadable safetensors file: " + e.getMessage());
        }
        return out;
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            int n = ch.read(b, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
            pos += n;
        }
    }
}
