package cpi.train;

import java.io.IOException;

/**
 * Fault injection for tests of crash safety: when armed, checkpoint writes fail with the given
 * IOException (e.g. "No space left on device") so the disk-full path can be exercised without filling a
 * disk. Armed only by tests (or the CPI_FAULT_DISK_FULL_AFTER environment variable in child processes).
 */
public final class IoFaults {
    private static volatile long remainingWrites = initial();
    private static volatile String message = "No space left on device";

    private IoFaults() {}

    private static long initial() {
        String env = System.getenv("CPI_FAULT_DISK_FULL_AFTER");
        if (env == null || env.isBlank()) {
            return -1;
        }
        try {
            return Long.parseLong(env.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** After {@code writes} more successful checkpoint file writes, every one fails; negative disarms. */
    public static void diskFullAfter(long writes) {
        remainingWrites = writes;
    }

    public static void disarm() {
        remainingWrites = -1;
    }

    static void check(String what) throws IOException {
        long r = remainingWrites;
        if (r < 0) {
            return;
        }
        if (r == 0) {
            throw new IOException(message);
        }
        remainingWrites = r - 1;
    }
}
