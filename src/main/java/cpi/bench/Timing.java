package cpi.bench;

import java.util.Arrays;

/** Wall-clock timing helpers: warm-up runs first (JIT, allocator, thread pools), then the median of reps. */
final class Timing {
    private Timing() {}

    interface Body {
        void run() throws Exception;
    }

    static double medianSeconds(Body body, int warmup, int reps) throws Exception {
        for (int i = 0; i < warmup; i++) {
            body.run();
        }
        double[] t = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            body.run();
            t[i] = (System.nanoTime() - t0) / 1e9;
        }
        return median(t);
    }

    static double minSeconds(Body body, int warmup, int reps) throws Exception {
        for (int i = 0; i < warmup; i++) {
            body.run();
        }
        double best = Double.MAX_VALUE;
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            body.run();
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        }
        return best;
    }

    static double median(double[] t) {
        double[] s = t.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    /** Resident set size of this process in bytes (Linux /proc), or -1 elsewhere. */
    static long rssBytes() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    String[] parts = line.trim().split("\\s+");
                    return Long.parseLong(parts[1]) * 1024L;
                }
            }
        } catch (Exception e) {
            return -1;
        }
        return -1;
    }
}
