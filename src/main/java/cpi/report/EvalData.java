package cpi.report;

import cpi.util.Json;
import cpi.util.UserError;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;

/** A {@code cpi eval --out DIR} directory: summary.json and items.NAME.jsonl per dataset. */
public final class EvalData {
    public static final String SUMMARY = "summary.json";

    private final Path dir;
    private final JsonNode summary;

    private EvalData(Path dir, JsonNode summary) {
        this.dir = dir;
        this.summary = summary;
    }

    /** True when {@code dir/summary.json} exists and has a "datasets" object (the eval output format). */
    public static boolean isEvalDir(Path dir) {
        Path f = dir.resolve(SUMMARY);
        if (!Files.isRegularFile(f)) {
            return false;
        }
        JsonNode s = Json.read(f);
        return s.has("datasets") && s.get("datasets").isObject();
    }

    public static EvalData load(Path dir) {
        Path f = dir.resolve(SUMMARY);
        JsonNode s = Json.read(f);
        if (!s.has("datasets") || !s.get("datasets").isObject()) {
            throw new UserError(f + ": no 'datasets' object; is this the --out directory of cpi eval?");
        }
        return new EvalData(dir, s);
    }

    public Path dir() {
        return dir;
    }

    public String name() {
        return RunData.dirName(dir);
    }

    public JsonNode summary() {
        return summary;
    }

    public JsonNode provenance() {
        return summary.get("provenance");
    }

    public List<String> datasets() {
        List<String> out = new ArrayList<>();
        for (Iterator<String> it = summary.get("datasets").fieldNames(); it.hasNext(); ) {
            out.add(it.next());
        }
        return out;
    }

    public JsonNode dataset(String name) {
        return summary.get("datasets").get(name);
    }

    public Path itemsFile(String dataset) {
        return dir.resolve("items." + dataset + ".jsonl");
    }

    /** Every items.*.jsonl file in the directory. */
    public List<Path> itemsFiles() {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> {
                String n = p.getFileName().toString();
                return n.startsWith("items.") && n.endsWith(".jsonl");
            }).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
