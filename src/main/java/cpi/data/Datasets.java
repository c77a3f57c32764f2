package cpi.data;

import cpi.util.Hashing;
import cpi.util.Json;
import cpi.util.UserError;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Loads knowledge-conflict datasets by registry name (see datasets.json) or from a user file (cpi JSONL,
 * NQ-Swap JSONL, ConflictQA JSONL, the paper's JSON/JSONL, MemoTrap CSV; the format is detected).
 */
public final class Datasets {
    private static final String REGISTRY = "/cpi/data/datasets.json";
    private static volatile Map<String, DatasetSpec> registry;

    private Datasets() {}

    /** Registry names in registry order. */
    public static List<String> names() {
        return List.copyOf(specs().keySet());
    }

    public static Map<String, DatasetSpec> specs() {
        Map<String, DatasetSpec> r = registry;
        if (r == null) {
            r = readRegistry();
            registry = r;
        }
        return r;
    }

    public static boolean isRegistered(String name) {
        return specs().containsKey(name);
    }

    /**
     * A registry dataset (files under the data directory: dataDirOrNull, else $CPI_DATA, else ../shared/data)
     * or a user file. Zero items, unknown names and bad records are UserErrors.
     */
    public static Dataset load(String nameOrFile, Path dataDirOrNull) {
        if (nameOrFile == null || nameOrFile.isBlank()) {
            throw new UserError("no dataset given (use a name: " + String.join(", ", names()) + "; or a file path)");
        }
        DatasetSpec spec = specs().get(nameOrFile);
        if (spec != null) {
            return loadSpec(spec, DataDirs.resolve(dataDirOrNull));
        }
        Path file = Path.of(nameOrFile);
        if (Files.isRegularFile(file)) {
            return loadFile(file);
        }
        if (looksLikePath(nameOrFile)) {
            throw new UserError(nameOrFile + ": file not found (give an existing file, or a dataset name: "
                    + String.join(", ", names()) + ")");
        }
        throw new UserError("unknown dataset '" + nameOrFile + "' (known: " + String.join(", ", names())
                + "; or give a path to a .jsonl/.json/.csv file)");
    }

    /** A user file; the format is detected from the extension and the first record. */
    public static Dataset loadFile(Path file) {
        byte[] bytes = readBytes(file, "");
        String text = new String(bytes, StandardCharsets.UTF_8);
        String label = file.toString();
        Format format = Format.detect(text, label);
        String name = datasetName(file);
        List<ConflictItem> items = format.parse(text, label, name, "all");
        return finish(name, Hashing.sha256(bytes), items, label);
    }

    /** Parses text in a known format (used by tests and fuzzing): items or a UserError. */
    public static Dataset parse(String text, String label, Format format) {
        List<ConflictItem> items = format.parse(text, label, "data", "all");
        return finish("data", Hashing.sha256(text), items, label);
    }

    static Dataset loadSpec(DatasetSpec spec, Path dataDir) {
        List<ConflictItem> items = new ArrayList<>();
        StringBuilder hashes = new StringBuilder();
        String firstSha = null;
        for (DatasetSpec.SourceFile f : spec.files()) {
            Path file = dataDir.resolve(f.path());
            byte[] bytes = readBytes(file, " (dataset " + spec.name() + " expects it under the data directory "
                    + dataDir + "; pass --data-dir or set $" + DataDirs.ENV + ")");
            String sha = Hashing.sha256(bytes);
            firstSha = firstSha == null ? sha : firstSha;
            hashes.append(f.path()).append(' ').append(sha).append('\n');
            String prefix = spec.files().size() == 1 ? spec.name() : spec.name() + "-" + f.stratum();
            for (ConflictItem it : spec.format().parse(new String(bytes, StandardCharsets.UTF_8), file.toString(),
                    prefix, spec.defaultStratum())) {
                String stratum = f.stratum() != null ? f.stratum() : spec.stratumOf(it.question());
                items.add(new ConflictItem(it.id(), spec.name(), it.question(), it.context(),
                        it.counterfactualAnswer(), it.parametricAnswer(), it.aliases(), stratum));
            }
        }
        String sha = spec.files().size() == 1 ? firstSha : Hashing.sha256(hashes.toString());
        return finish(spec.name(), sha, items, spec.name());
    }

    private static Dataset finish(String name, String sha, List<ConflictItem> items, String label) {
        if (items.isEmpty()) {
            throw new UserError(label + ": no items (the file has no records; add at least one)");
        }
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            Integer prev = seen.put(items.get(i).id(), i);
            if (prev != null) {
                throw new UserError(label + ": duplicate id '" + items.get(i).id() + "' (records " + (prev + 1)
                        + " and " + (i + 1) + "; ids must be unique so results can be resumed)");
            }
        }
        return new Dataset(name, sha, items);
    }

    /** "data/my_set.jsonl" → "my_set" (used in file names such as items.my_set.jsonl). */
    static String datasetName(Path file) {
        String n = file.getFileName().toString();
        int dot = n.indexOf('.');
        String base = dot > 0 ? n.substring(0, dot) : n;
        String clean = base.replaceAll("[^A-Za-z0-9_-]", "_");
        return clean.isEmpty() ? "data" : clean;
    }

    private static boolean looksLikePath(String s) {
        return s.contains("/") || s.contains("\\") || s.endsWith(".json") || s.endsWith(".jsonl")
                || s.endsWith(".csv");
    }

    private static byte[] readBytes(Path file, String hint) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new UserError(file + ": file not found" + hint);
        } catch (IOException e) {
            throw new UserError(file + ": cannot read (" + e.getMessage() + ")" + hint);
        }
    }

    private static Map<String, DatasetSpec> readRegistry() {
        JsonNode root;
        try (InputStream in = Datasets.class.getResourceAsStream(REGISTRY)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + REGISTRY);
            }
            root = Json.MAPPER.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, DatasetSpec> out = new LinkedHashMap<>();
        for (JsonNode d : root.get("datasets")) {
            List<DatasetSpec.SourceFile> files = new ArrayList<>();
            for (JsonNode f : d.get("files")) {
                files.add(new DatasetSpec.SourceFile(f.get("path").asText(),
                        f.hasNonNull("stratum") ? f.get("stratum").asText() : null));
            }
            List<DatasetSpec.StratumRule> rules = new ArrayList<>();
            for (JsonNode s : d.path("strata")) {
                rules.add(new DatasetSpec.StratumRule(s.get("name").asText(),
                        Pattern.compile(s.get("question_regex").asText())));
            }
            String name = d.get("name").asText();
            out.put(name, new DatasetSpec(name, d.path("paper_name").asText(name),
                    Format.parse(d.get("format").asText()), files, d.path("description").asText(""), rules,
                    d.path("default_stratum").asText("all"), d.path("licence").asText("")));
        }
        return out;
    }
}
