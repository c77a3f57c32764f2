package cpi.eval;

import cpi.util.UserError;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive OS lock on an eval output directory, so two evaluations never interleave their appends
 * to the same items files. The OS drops it when the process dies, so a crash never leaves it stuck.
 */
public final class OutDirLock implements AutoCloseable {
    public static final String FILE = ".cpi-eval.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private OutDirLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    public static OutDirLock acquire(Path dir) {
        Path f = dir.resolve(FILE);
        FileChannel ch = null;
        try {
            Files.createDirectories(dir);
            ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock l;
            try {
                l = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                l = null;
            }
            if (l == null) {
                ch.close();
                throw new UserError("another cpi eval is writing " + dir + " (it holds " + f
                        + "); wait for it to finish or use another --out");
            }
            return new OutDirLock(ch, l);
        } catch (IOException e) {
            try {
                if (ch != null) {
                    ch.close();
                }
            } catch (IOException ignored) {
                // already failing
            }
            throw new UserError("cannot create " + f + ": " + e.getMessage() + " (check --out and its permissions)");
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            // the OS releases the lock with the process anyway
        }
    }
}
