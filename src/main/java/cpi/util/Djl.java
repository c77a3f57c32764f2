package cpi.util;

import ai.djl.engine.Engine;
import java.nio.file.Path;

/**
 * DJL bootstrap. cpi never downloads: the PyTorch natives come from the pytorch-native-cpu jar on the
 * classpath (or a CUDA natives jar users swap in), extracted once into cpi's own cache directory.
 * Call {@link #engine()} before creating any NDManager.
 */
public final class Djl {
    /** {@link #cpuKernels()} without cpi's shim. */
    public static final String DEFAULT_KERNELS = "MKL, its own dispatch";

    private static Engine engine;

    private Djl() {}

    /** ~/.cache/cpi (or -Dcpi.cache, or $CPI_CACHE): where cpi keeps natives and cached pretrained demo models. */
    public static Path cacheDir() {
        String prop = System.getProperty("cpi.cache");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop);
        }
        String env = System.getenv("CPI_CACHE");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "cpi");
    }

    /**
     * Which CPU kernels libtorch's matmuls run, for results' provenance: float rounding, and so a
     * chaotic run such as the demo's pretraining, depends on it. The ./cpi launcher preloads
     * src/main/native/mkl_intel_cpu.c on AMD CPUs.
     */
    public static String cpuKernels() {
        String preload = System.getenv("LD_PRELOAD");
        return preload != null && preload.contains("libcpi_mkl_shim")
                ? "MKL, Intel code path (cpi's AMD shim preloaded)"
                : DEFAULT_KERNELS;
    }


    public static synchronized Engine engine() {
        if (engine == null) {
            System.setProperty("ai.djl.offline", "true");
            if (System.getProperty("DJL_CACHE_DIR") == null && System.getenv("DJL_CACHE_DIR") == null) {
                System.setProperty("DJL_CACHE_DIR", cacheDir().resolve("djl").toString());
            }
            int cores = Runtime.getRuntime().availableProcessors();
            // PyTorch reads these once at load time; use every core for intra-op parallelism.
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(cores));
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
            engine = Engine.getEngine("PyTorch");
        }
        return engine;
    }
}
