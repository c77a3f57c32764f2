package cpi.experiment;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cpi.util.UserError;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunLockTest {
    @TempDir
    Path run;

    /** Child-process entry point: holds the lock of args[0] until stdin closes. */
    public static void main(String[] args) throws Exception {
        try (RunLock l = RunLock.acquire(Path.of(args[0]))) {
            System.out.println("locked");
            System.out.flush();
            while (System.in.read() >= 0) {
                // hold
            }
        }
    }

    @Test
    void secondWriterInThisJvmIsRefused() {
        try (RunLock l = RunLock.acquire(run)) {
            UserError e = assertThrows(UserError.class, () -> RunLock.acquire(run));
            assertTrue(e.getMessage().contains("another cpi process"), e.getMessage());
        }
        RunLock.acquire(run).close(); // released: free again
    }

    @Test
    void secondProcessIsRefusedAndKillReleases() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), RunLockTest.class.getName(),
                run.toString()).redirectErrorStream(true).start();
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = r.readLine();
            assertTrue("locked".equals(line), "child said: " + line);
            UserError e = assertThrows(UserError.class, () -> RunLock.acquire(run));
            assertTrue(e.getMessage().contains("pid " + p.pid()), e.getMessage());
        } finally {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        RunLock.acquire(run).close(); // kill -9 released the OS lock: no stale lock
    }
}
