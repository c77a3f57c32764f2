package cpi.eval;

import cpi.util.AtomicFiles;
import cpi.util.Json;
import cpi.util.UserError;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * items.NAME.jsonl: appended (and fsynced) batch by batch as items finish, so a crash loses at most the
 * batch in flight; read back on resume (the last record of an id wins; a torn last line is skipped and its
 * item redone); rewritten compactly (one record per id, dataset order) when a dataset finishes.
 */
final class ItemStore {
    private final Path file;

    ItemStore(Path file) {
        this.file = file;
    }

    Path file() {
        return file;
    }

    /** id → latest record; unreadable lines are skipped with a warning (their items are redone). */
    Map<String, ItemResult> read() {
        Map<String, ItemResult> out = new LinkedHashMap<>();
        if (!Files.isRegularFile(file)) {
            return out;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UserError(file + ": cannot read (" + e.getMessage() + ")");
        }
        int skipped = 0;
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            ItemResult r;
            try {
                JsonNode n = Json.MAPPER.readTree(line);
                r = n != null && n.isObject() ? ItemResult.fromJson(n) : null;
            } catch (IOException e) {
                r = null;
            }
            if (r == null) {
                skipped++;
                continue;
            }
            out.put(r.id(), r);
        }
        if (skipped > 0) {
            System.err.println("eval: " + file + ": skipped " + skipped
                    + " unreadable line(s) (an interrupted write); those items will be redone");
        }
        return out;
    }

    /** Appends records and forces them to disk. */
    void append(List<ItemResult> results) {
        if (results.isEmpty()) {
            return;
        }
        StringBuilder b = new StringBuilder();
        for (ItemResult r : results) {
            b.append(Json.write(r.toJson())).append('\n');
        }
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            if (Files.isRegularFile(file) && !endsWithNewline()) {
                b.insert(0, '\n');
            }
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND)) {
                ch.write(java.nio.ByteBuffer.wrap(b.toString().getBytes(StandardCharsets.UTF_8)));
                ch.force(true);
            }
        } catch (IOException e) {
            throw new UserError("could not append to " + file + ": " + e.getMessage()
                    + " (check free disk space; finished items are kept and the rest resumes)", e);
        }
    }

    /** Rewrites the file atomically with exactly these records. */
    void rewrite(List<ItemResult> results) {
        StringBuilder b = new StringBuilder();
        for (ItemResult r : results) {
            b.append(Json.write(r.toJson())).append('\n');
        }
        AtomicFiles.writeString(file, b.toString());
    }

    private boolean endsWithNewline() throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            if (raf.length() == 0) {
                return true;
            }
            raf.seek(raf.length() - 1);
            return raf.read() == '\n';
        }
    }
}
