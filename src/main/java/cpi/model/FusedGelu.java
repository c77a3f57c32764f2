package cpi.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The tanh-approximated GELU (HF "gelu_new" / "gelu_pytorch_tanh") as PyTorch's own fused kernel,
 * {@code torch.gelu(x, approximate="tanh")}, forward and backward. DJL exposes only the erf GELU, and
 * composing the tanh form from elementwise ops costs six passes over [B, T, 4h] forward and about twelve
 * in backward (most of a small model's training step besides the matmuls).
 *
 * <p>The function is reached through a one-line TorchScript module that is written here as source (a zip
 * of TorchScript code and a tiny pickle, the format {@code torch.jit.save} produces) and compiled by the
 * engine when loaded: no file, no Python. Autograd records through it. If the engine refuses the module,
 * {@link #load} returns null and the caller keeps its op-by-op formula.
 */
final class FusedGelu implements AutoCloseable {
    private static final String CODE = """
            class GeluTanh(Module):
              __parameters__ = []
              __buffers__ = []
              training : bool
              def forward(self: __torch__.GeluTanh,
                x: Tensor) -> Tensor:
                return torch.gelu(x, approximate="tanh")
            """;

    private final PtSymbolBlock module;

    private FusedGelu(PtSymbolBlock module) {
        this.module = module;
    }

    /** Compiles the module in the given manager, or returns null if this engine cannot. */
    static FusedGelu load(NDManager manager) {
        if (!(manager instanceof PtNDManager pt)) {
            return null;
        }
        try {
            return new FusedGelu(JniUtils.loadModule(pt, new ByteArrayInputStream(archive()), false, false));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** gelu_tanh(x), in x's manager; recorded by autograd when a gradient collector is active. */
    NDArray apply(NDArray x) {
        // training=true only means "run as called": no no-grad/inference guard inside, so the result is an
        // ordinary tensor and records a graph exactly when grad mode is on.
        return IValueUtils.forward(module, new NDList(x), true).singletonOrThrow();
    }

    @Override
    public void close() {
        module.close();
    }

    /** A torch.jit.save archive (format version 10) holding the module above. */
    static byte[] archive() throws IOException {
        ByteArrayOutputStream pickle = new ByteArrayOutputStream();
        // protocol 2: __torch__.GeluTanh() with state {"training": True}
        pickle.write(new byte[] {(byte) 0x80, 2});
        pickle.write("c__torch__\nGeluTanh\nq\u0000)\u0081}(X".getBytes(StandardCharsets.ISO_8859_1));
        byte[] key = "training".getBytes(StandardCharsets.ISO_8859_1);
        pickle.write(new byte[] {(byte) key.length, 0, 0, 0});
        pickle.write(key);
        pickle.write(new byte[] {'q', 1, (byte) 0x88, 'u', 'b', 'q', 2, '.'});
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            stored(zip, "gelu_tanh/data.pkl", pickle.toByteArray());
            stored(zip, "gelu_tanh/code/__torch__.py", CODE.getBytes(StandardCharsets.UTF_8));
            stored(zip, "gelu_tanh/constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'});
            stored(zip, "gelu_tanh/.data/version", "10\n".getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    private static void stored(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        e.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }
}
