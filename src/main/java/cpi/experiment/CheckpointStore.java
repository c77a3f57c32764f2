package cpi.experiment;

import cpi.util.AtomicFiles;
import cpi.util.Hashing;
import cpi.util.Json;
import cpi.util.UserError;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code RUN/checkpoints/step-NNNNNN/}: checkpoints written into a hidden temporary directory, sealed
 * with a {@code COMPLETE} marker listing every file's size and sha256, then renamed into place. A crash
 * leaves at most a temporary directory (removed on the next open); a directory whose marker is missing
 * or whose files do not match it is never loaded.
 */
public final class CheckpointStore {
    public static final String MARKER = "COMPLETE";
    private static final Pattern STEP_DIR = Pattern.compile("step-(\\d+)");

    private final Path dir;

    public CheckpointStore(Path runDir) {
        this.dir = runDir.resolve("checkpoints");
    }

    public Path dir() {
        return dir;
    }

    public record Checkpoint(long step, Path dir) {}

    /** Fills a (temporary) checkpoint directory. */
    @FunctionalInterface
    public interface Contents {
        void writeTo(Path directory) throws IOException;
    }

    public static String dirName(long step) {
        return String.format("step-%06d", step);
    }

    /**
     * Writes a checkpoint atomically. On any failure (disk full, say) the temporary directory is removed,
     * earlier checkpoints are untouched, and a UserError explains what happened.
     */
    public Checkpoint save(long step, Contents contents) {
        Path target = dir.resolve(dirName(step));
        Path tmp = dir.resolve(".tmp-" + dirName(step) + "-" + ProcessHandle.current().pid());
        try {
            Files.createDirectories(dir);
            AtomicFiles.deleteRecursively(tmp);
            Files.createDirectories(tmp);
            contents.writeTo(tmp);
            writeMarker(tmp, step);
            if (Files.exists(target)) {
                // A stale (unverifiable) directory of the same step: move it aside first, then drop it.
                Path old = dir.resolve(".old-" + dirName(step) + "-" + ProcessHandle.current().pid());
                AtomicFiles.moveAtomically(target, old);
                AtomicFiles.deleteRecursively(old);
            }
            AtomicFiles.publishDirectory(tmp, target);
            return new Checkpoint(step, target);
        } catch (IOException | RuntimeException e) {
            AtomicFiles.deleteRecursively(tmp);
            String why = e instanceof IOException ? e.getClass().getSimpleName() + ": " + e.getMessage() : e.getMessage();
            String prev = latestMarked().map(c -> "; the previous checkpoint " + c.dir().getFileName() + " is intact")
                    .orElse("");
            throw new UserError("could not save checkpoint " + target + ": " + why
                    + " (free disk space or choose another --out" + prev + ")", e);
        }
    }

    private static void writeMarker(Path tmp, long step) throws IOException {
        ObjectNode m = Json.object();
        m.put("step", step);
        m.put("created", Instant.now().toString());
        ObjectNode files = m.putObject("files");
        List<Path> all;
        try (Stream<Path> s = Files.walk(tmp)) {
            all = s.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path f : all) {
            AtomicFiles.fsync(f);
            ObjectNode e = files.putObject(tmp.relativize(f).toString().replace('\\', '/'));
            e.put("bytes", Files.size(f));
            e.put("sha256", Hashing.sha256(f));
        }
        Path marker = tmp.resolve(MARKER);
        Files.writeString(marker, Json.writePretty(m) + "\n");
        AtomicFiles.fsync(marker);
        AtomicFiles.fsync(tmp);
    }

    /** Checkpoint directories with a parseable marker, ascending by step (sizes checked, not hashes). */
    public List<Checkpoint> list() {
        List<Checkpoint> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path d : s.toList()) {
                Matcher mt = STEP_DIR.matcher(d.getFileName().toString());
                if (mt.matches() && Files.isDirectory(d) && verify(d, false)) {
                    out.add(new Checkpoint(Long.parseLong(mt.group(1)), d));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.sort(Comparator.comparingLong(Checkpoint::step));
        return out;
    }

    private Optional<Checkpoint> latestMarked() {
        List<Checkpoint> l = list();
        return l.isEmpty() ? Optional.empty() : Optional.of(l.get(l.size() - 1));
    }

    /** The newest checkpoint whose files all match their recorded checksums (older ones as fallback). */
    public Optional<Checkpoint> latestValid() {
        List<Checkpoint> l = list();
        for (int i = l.size() - 1; i >= 0; i--) {
            if (verify(l.get(i).dir(), true)) {
                return Optional.of(l.get(i));
            }
            System.err.println("cpi: warning: checkpoint " + l.get(i).dir() + " fails its checksum; skipping it");
        }
        return Optional.empty();
    }

    /** True when the directory has a marker and every listed file has its size (and, if asked, hash). */
    public static boolean verify(Path checkpointDir, boolean hashes) {
        Path marker = checkpointDir.resolve(MARKER);
        if (!Files.isRegularFile(marker)) {
            return false;
        }
        try {
            JsonNode m = Json.MAPPER.readTree(marker.toFile());
            JsonNode files = m.get("files");
            if (files == null || !files.isObject() || files.isEmpty()) {
                return false;
            }
            for (var it = files.fields(); it.hasNext();) {
                var e = it.next();
                Path f = checkpointDir.resolve(e.getKey());
                if (!Files.isRegularFile(f) || Files.size(f) != e.getValue().path("bytes").asLong(-1)) {
                    return false;
                }
                if (hashes && !Hashing.sha256(f).equals(e.getValue().path("sha256").asText())) {
                    return false;
                }
            }
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Removes temporary directories left by a crash (call with the run lock held). */
    public void cleanTemporary() {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path d : s.toList()) {
                String n = d.getFileName().toString();
                if (n.startsWith(".tmp-") || n.startsWith(".old-") || n.startsWith(".del-")) {
                    AtomicFiles.deleteRecursively(d);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes checkpoints that are neither among the last {@code keepLast} nor in {@code keepSteps}. */
    public void retain(int keepLast, Collection<Long> keepSteps) {
        if (keepLast <= 0) {
            return; // 0 = keep all
        }
        List<Checkpoint> l = list();
        for (int i = 0; i < l.size() - keepLast; i++) {
            Checkpoint c = l.get(i);
            if (!keepSteps.contains(c.step())) {
                Path del = dir.resolve(".del-" + c.dir().getFileName());
                try {
                    AtomicFiles.moveAtomically(c.dir(), del);
                } catch (IOException e) {
                    continue;
                }
                AtomicFiles.deleteRecursively(del);
            }
        }
    }

    /** Deletes checkpoints after {@code step} (a resume from an older checkpoint supersedes them). */
    public void dropAfter(long step) {
        for (Checkpoint c : list()) {
            if (c.step() > step) {
                Path del = dir.resolve(".del-" + c.dir().getFileName());
                try {
                    AtomicFiles.moveAtomically(c.dir(), del);
                    AtomicFiles.deleteRecursively(del);
                } catch (IOException e) {
                    throw new UserError("could not remove superseded checkpoint " + c.dir() + ": " + e.getMessage());
                }
            }
        }
    }
}
