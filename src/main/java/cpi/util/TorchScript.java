package cpi.util;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Reaches PyTorch kernels that DJL's NDArray API does not expose (the tanh GELU, the fused AdamW step) through
 * a TorchScript module written here as source: a zip of TorchScript code and a tiny pickle, the format
 * {@code torch.jit.save} produces, compiled by the engine when loaded. No file, no Python.
 */
public final class TorchScript {
    private TorchScript() {}

    /**
     * Compiles a module with no parameters, class {@code className}, whose {@code forward(self, <arguments>) ->
     * <returns>} runs {@code body} (TorchScript statements, one per line). The class header the serialized-code
     * format needs ({@code __parameters__}, {@code __buffers__}, {@code training}, the typed {@code self}) is
     * written here, so it always names the class the archive's pickle instantiates. Returns null when the
     * manager is not PyTorch's or the engine refuses the code, so callers keep an op-by-op path.
     */
    public static PtSymbolBlock compile(NDManager manager, String className, String arguments, String returns,
                                        String body) {
        if (!(manager instanceof PtNDManager pt)) {
            return null;
        }
        try {
            byte[] archive = archive(className, source(className, arguments, returns, body));
            return JniUtils.loadModule(pt, new ByteArrayInputStream(archive), false, false);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The module's code/__torch__.py: the class header and its forward method. */
    static String source(String className, String arguments, String returns, String body) {
        StringBuilder code = new StringBuilder()
                .append("class ").append(className).append("(Module):\n")
                .append("  __parameters__ = []\n")
                .append("  __buffers__ = []\n")
                .append("  training : bool\n")
                .append("  def forward(self: __torch__.").append(className).append(",\n")
                .append("    ").append(arguments.strip()).append(") -> ").append(returns).append(":\n");
        body.strip().lines().forEach(line -> code.append("    ").append(line.strip()).append('\n'));
        return code.toString();
    }

    /** A torch.jit.save archive (format version 10) holding one parameterless module. */
    static byte[] archive(String className, String code) throws IOException {
        ByteArrayOutputStream pickle = new ByteArrayOutputStream();
        // protocol 2: __torch__.<className>() with state {"training": True}
        pickle.write(new byte[] {(byte) 0x80, 2});
        pickle.write(("c__torch__\n" + className + "\nq\u0000)\u0081}(X").getBytes(StandardCharsets.ISO_8859_1));
        byte[] key = "training".getBytes(StandardCharsets.ISO_8859_1);
        pickle.write(new byte[] {(byte) key.length, 0, 0, 0});
        pickle.write(key);
        pickle.write(new byte[] {'q', 1, (byte) 0x88, 'u', 'b', 'q', 2, '.'});
        String dir = className.toLowerCase(java.util.Locale.ROOT) + "/";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            stored(zip, dir + "data.pkl", pickle.toByteArray());
            stored(zip, dir + "code/__torch__.py", code.getBytes(StandardCharsets.UTF_8));
            stored(zip, dir + "constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'});
            stored(zip, dir + ".data/version", "10\n".getBytes(StandardCharsets.UTF_8));
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
