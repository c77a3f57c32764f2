package cpi.world;

import com.fasterxml.jackson.databind.node.ObjectNode;
import cpi.data.ConflictItem;
import cpi.model.WordTokenizer;
import cpi.util.AtomicFiles;
import cpi.util.Json;
import cpi.util.UserError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a world as ordinary cpi files, so the rest of cpi (finetune, eval, data filter) treats it like
 * any dataset. All output is deterministic (fixed field order, "\n" line ends).
 */
public final class WorldFiles {
    public static final String WORLD = "world.json";
    public static final String VOCAB = "vocab.txt";
    public static final String TOKENIZER = "tokenizer.json";
    public static final String TOKENIZER_CONFIG = "tokenizer_config.json";
    public static final String PRETRAIN = "pretrain.jsonl";
    public static final String PRETRAIN_PROBES = "pretrain_probes.jsonl";
    public static final String IFT = "ift.jsonl";
    public static final String AUGMENT = "ift_counterfactual.jsonl";
    public static final String EVAL_CF = "eval_counterfactual.jsonl";
    public static final String EVAL_CAPABILITY = "eval_capability.jsonl";
    public static final String EVAL_CLOSED_BOOK = "eval_closed_book.jsonl";

    /** Number of copy probes written to pretrain_probes.jsonl. */
    public static final int COPY_PROBES = 200;

    private WorldFiles() {}

    /** Writes every file into dir (created if needed); returns file name → path in write order. */
    public static Map<String, Path> write(World world, Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UserError("cannot create " + dir + ": " + e.getMessage() + " (choose another --out)");
        }
        Map<String, Path> out = new LinkedHashMap<>();
        List<String> vocab = world.vocabulary();
        out.put(WORLD, writeText(dir.resolve(WORLD), Json.writePretty(worldJson(world)) + "\n"));
        out.put(VOCAB, writeText(dir.resolve(VOCAB), String.join("\n", vocab) + "\n"));
        WordTokenizer.build(vocab, dir).close();
        out.put(TOKENIZER, dir.resolve(TOKENIZER));
        out.put(TOKENIZER_CONFIG, dir.resolve(TOKENIZER_CONFIG));
        List<ObjectNode> docs = new ArrayList<>();
        for (String d : world.pretrainingDocuments()) {
            ObjectNode o = Json.object();
            o.put("text", d);
            docs.add(o);
        }
        out.put(PRETRAIN, writeJsonl(dir.resolve(PRETRAIN), docs));
        out.put(PRETRAIN_PROBES, writeJsonl(dir.resolve(PRETRAIN_PROBES),
                world.pretrainingProbes(COPY_PROBES).stream().map(ProbeItem::toJson).toList()));
        out.put(IFT, writeJsonl(dir.resolve(IFT), world.iftMixture().stream().map(IftItem::toJson).toList()));
        out.put(AUGMENT, writeJsonl(dir.resolve(AUGMENT),
                world.counterfactualExamples(world.config().iftExamples()).stream().map(IftItem::toJson).toList()));
        out.put(EVAL_CF, writeJsonl(dir.resolve(EVAL_CF),
                world.counterfactualEval().stream().map(WorldFiles::conflictJson).toList()));
        out.put(EVAL_CAPABILITY, writeJsonl(dir.resolve(EVAL_CAPABILITY),
                world.capabilityEval().stream().map(WorldFiles::conflictJson).toList()));
        out.put(EVAL_CLOSED_BOOK, writeJsonl(dir.resolve(EVAL_CLOSED_BOOK),
                world.closedBookEval().stream().map(IftItem::toJson).toList()));
        return out;
    }

    /** The conflict schema as cpi's dataset loader reads it. */
    public static ObjectNode conflictJson(ConflictItem c) {
        ObjectNode o = Json.object();
        o.put("id", c.id());
        o.put("source", c.source());
        o.put("question", c.question());
        o.put("context", c.context());
        o.put("counterfactual_answer", c.counterfactualAnswer());
        o.put("parametric_answer", c.parametricAnswer());
        o.put("stratum", c.stratum());
        return o;
    }

    static ObjectNode worldJson(World world) {
        ObjectNode root = Json.object();
        root.set("config", world.config().toJson());
        ObjectNode rel = root.putObject("objects");
        for (String r : world.relations()) {
            world.objects(r).forEach(rel.withArray(r)::add);
        }
        ObjectNode subjects = root.putObject("subjects");
        world.knownIftSubjects().forEach(subjects.putArray("known_ift")::add);
        world.knownEvalSubjects().forEach(subjects.putArray("known_eval")::add);
        world.unknownIftSubjects().forEach(subjects.putArray("unknown_ift")::add);
        world.unknownEvalSubjects().forEach(subjects.putArray("unknown_eval")::add);
        var facts = root.putArray("facts");
        for (Fact f : world.facts()) {
            facts.addObject().put("subject", f.subject()).put("relation", f.relation()).put("object", f.object());
        }
        return root;
    }

    private static Path writeJsonl(Path file, List<ObjectNode> rows) {
        StringBuilder sb = new StringBuilder();
        for (ObjectNode r : rows) {
            sb.append(Json.write(r)).append('\n');
        }
        return writeText(file, sb.toString());
    }

    private static Path writeText(Path file, String text) {
        try {
            AtomicFiles.writeString(file, text);
        } catch (UncheckedIOException e) {
            throw new UserError("cannot write " + file + ": " + e.getMessage());
        }
        return file;
    }
}
