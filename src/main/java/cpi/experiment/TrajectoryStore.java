package cpi.experiment;

import cpi.util.Json;
import cpi.util.UserError;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.nio.ByteBuffer;

/**
 * {@code RUN_DIR/trajectory.jsonl}: an append-only log of {@link TrajectoryRecord}s, one JSON object per
 * line. Appends are fsynced; a line torn by a crash (no trailing newline, or unparsable last line) is
 * ignored on read and cut off before the next append, so no record is lost or duplicated.
 */
public final class TrajectoryStore {
    public static final String FILE_NAME = "trajectory.jsonl";

    private final Path file;

    public TrajectoryStore(Path runDir) {
        this.file = runDir.resolve(FILE_NAME);
    }

    public Path file() {
        return file;
    }

    /** Appends records as one fsynced write (all or, after a crash, a torn tail that readers drop). */
    public synchronized void append(Collection<TrajectoryRecord> records) {
        if (records.isEmpty()) {
            return;
        }
        StringBuilder sb = new StringBuilder();
        for (TrajectoryRecord r : records) {
            sb.append(Json.write(toJson(r))).append('\n');
        }
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            repairTornTail();
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND)) {
                ByteBuffer buf = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8));
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
        } catch (IOException e) {
            throw new UserError("could not append to " + file + ": " + e.getMessage()
                    + " (check free disk space; earlier records are intact)", e);
        }
    }

    public void append(TrajectoryRecord record) {
        append(List.of(record));
    }

    /** All complete records, later duplicates of a key replacing earlier ones, sorted by step. */
    public List<TrajectoryRecord> read() {
        if (!Files.exists(file)) {
            return List.of();
        }
        Map<TrajectoryRecord.Key, TrajectoryRecord> byKey = new LinkedHashMap<>();
        List<String> lines = completeLines();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            TrajectoryRecord r = fromJson(Json.parseLine(line, file, i + 1), i + 1);
            byKey.put(r.key(), r);
        }
        List<TrajectoryRecord> out = new ArrayList<>(byKey.values());
        out.sort(Comparator.comparingLong(TrajectoryRecord::step));
        return out;
    }

    private List<String> completeLines() {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            int end = text.lastIndexOf('\n');
            return end < 0 ? List.of() : List.of(text.substring(0, end).split("\n", -1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Cuts a partial last line (a crash mid-append) so the next append starts on a clean line. */
    private void repairTornTail() throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            if (size == 0) {
                return;
            }
            // Scan back to the last newline; everything after it is a torn record.
            long pos = size;
            ByteBuffer one = ByteBuffer.allocate(1);
            while (pos > 0) {
                one.clear();
                ch.read(one, pos - 1);
                if (one.get(0) == '\n') {
                    break;
                }
                pos--;
            }
            if (pos < size) {
                ch.truncate(pos);
                ch.force(true);
            }
        }
    }

    static ObjectNode toJson(TrajectoryRecord r) {
        ObjectNode o = Json.object();
        o.put("step", r.step());
        o.put("dataset", r.dataset());
        o.put("metric", r.metric());
        putNumber(o, "value", r.value());
        putNumber(o, "ci_low", r.ciLow());
        putNumber(o, "ci_high", r.ciHigh());
        if (r.n() > 0) {
            o.put("n", r.n());
        }
        return o;
    }

    private static void putNumber(ObjectNode o, String field, double v) {
        if (Double.isFinite(v)) {
            o.put(field, v);
        } else if (!Double.isNaN(v) || field.equals("value")) {
            o.put(field, String.valueOf(v)); // keep inf/NaN values visible rather than dropping them
        }
    }

    private TrajectoryRecord fromJson(JsonNode o, long line) {
        for (String f : new String[] {"step", "dataset", "metric", "value"}) {
            if (!o.hasNonNull(f)) {
                throw new UserError(file + ":" + line + ": missing field '" + f + "'");
            }
        }
        return new TrajectoryRecord(o.get("step").asLong(), o.get("dataset").asText(), o.get("metric").asText(),
                number(o.get("value")), number(o.get("ci_low")), number(o.get("ci_high")),
                o.hasNonNull("n") ? o.get("n").asLong() : 0);
    }

    private static double number(JsonNode n) {
        if (n == null || n.isNull()) {
            return Double.NaN;
        }
        return n.isNumber() ? n.asDouble() : Double.parseDouble(n.asText());
    }
}
