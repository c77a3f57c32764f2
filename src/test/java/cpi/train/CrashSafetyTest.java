package cpi.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import cpi.experiment.CheckpointStore;
import cpi.experiment.TrajectoryRecord;
import cpi.experiment.TrajectoryStore;
import cpi.util.Djl;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 a finetune child process at random moments (mid-step, mid-checkpoint, mid-append) at least
 * 20 times; after every kill no torn checkpoint is visible and the trajectory reads; after resuming to the
 * end the losses equal an uninterrupted run's exactly and no record is lost or duplicated.
 */
class CrashSafetyTest {
    static final int STEPS = 16;
    static final int KILLS = 20;

    @TempDir
    Path dir;

    @Test
    void killedAndResumedRunsMatchTheUninterruptedRun() throws Exception {
        Djl.engine();
        Path data = TinyModels.alpaca(dir, 40, 3);
        Path ref = dir.resolve("reference");
        try (NDManager m = NDManager.newBaseManager()) {
            Finetune.run(CrashChild.config(data, ref).withResume(false), TinyModels.load(TinyModels.llama(), 11, m));
        }
        Map<TrajectoryRecord.Key, Double> expected = values(new TrajectoryStore(ref).read());

        Random rnd = new Random(2024);
        int kills = 0;
        int runs = 0;
        int tornSeen = 0;
        List<Path> finished = new ArrayList<>();
        Path run = dir.resolve("run-0");
        while (kills < KILLS) {
            Process p = start(data, run);
            AtomicInteger steps = new AtomicInteger(-1);
            Thread reader = pump(p, steps);
            // Wait for the engine, then a random number of steps and a random sub-step delay.
            int targetSteps = rnd.nextInt(3);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (p.isAlive() && steps.get() < targetSteps && System.nanoTime() < deadline) {
                Thread.sleep(2);
            }
            Thread.sleep(rnd.nextInt(120));
            if (p.isAlive()) {
                p.destroyForcibly(); // SIGKILL
                p.waitFor(30, TimeUnit.SECONDS);
                kills++;
            } else {
                assertEquals(0, p.exitValue(), "child failed");
            }
            reader.join(5000);
            runs++;
            tornSeen += checkInvariants(run);
            if (isComplete(run)) {
                finished.add(run);
                run = dir.resolve("run-" + finished.size());
            }
        }
        // Resume the last run to the end without interruption.
        Process p = start(data, run);
        Thread reader = pump(p, new AtomicInteger());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        reader.join(5000);
        assertEquals(0, p.exitValue());
        finished.add(run);

        for (Path r : finished) {
            List<TrajectoryRecord> got = new TrajectoryStore(r).read();
            assertEquals(expected, values(got), r + ": trajectory differs from the uninterrupted run");
            // No duplicate line in the file itself either (resume trims what it recomputes).
            List<String> lines = Files.readAllLines(r.resolve(TrajectoryStore.FILE_NAME));
            Set<String> keys = new HashSet<>();
            for (String l : lines) {
                var o = cpi.util.Json.MAPPER.readTree(l);
                assertTrue(keys.add(o.get("step").asText() + "/" + o.get("dataset").asText() + "/"
                        + o.get("metric").asText()), r + ": duplicate record " + l);
            }
        }
        System.out.printf("crash test: %d kills over %d child runs, %d finished runs compared, %d kills left a "
                + "temporary checkpoint directory (killed mid-save)%n", kills, runs, finished.size(), tornSeen);
    }

    private static Map<TrajectoryRecord.Key, Double> values(List<TrajectoryRecord> rs) {
        Map<TrajectoryRecord.Key, Double> m = new TreeMap<>((a, b) -> a.toString().compareTo(b.toString()));
        for (TrajectoryRecord r : rs) {
            m.put(r.key(), r.value());
        }
        return m;
    }

    private static boolean isComplete(Path run) throws Exception {
        Path rj = run.resolve("run.json");
        return Files.exists(rj) && cpi.util.Json.read(rj).path("status").asText().equals("complete");
    }

    /** After a kill: every visible checkpoint verifies, the trajectory parses. Returns 1 if a temp dir remained. */
    private static int checkInvariants(Path run) throws Exception {
        CheckpointStore store = new CheckpointStore(run);
        for (CheckpointStore.Checkpoint c : store.list()) {
            assertTrue(CheckpointStore.verify(c.dir(), true), "torn checkpoint visible: " + c.dir());
        }
        new TrajectoryStore(run).read();
        if (!Files.isDirectory(store.dir())) {
            return 0;
        }
        try (var s = Files.list(store.dir())) {
            return s.anyMatch(d -> d.getFileName().toString().startsWith(".tmp-")) ? 1 : 0;
        }
    }

    private static Process start(Path data, Path run) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ProcessBuilder(java, "-Xss8m", "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"),
                CrashChild.class.getName(), data.toString(), run.toString()).redirectErrorStream(true).start();
    }

    private static Thread pump(Process p, AtomicInteger steps) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.equals("ready")) {
                        steps.set(0);
                    } else if (line.startsWith("step ")) {
                        steps.incrementAndGet();
                    } else if (line.startsWith("Exception") || line.contains("Error")) {
                        System.err.println("child: " + line);
                    }
                }
            } catch (java.io.IOException ignored) {
                // the child was killed
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }
}
