package cpi.demo;

import cpi.model.GenerationOptions;
import cpi.model.LocalTextModel;
import cpi.model.Tokenizer;
import cpi.model.Transformer;
import cpi.util.Json;
import cpi.world.ProbeItem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What pretraining taught, in the pretraining (statement) form: closed-book accuracy on every known fact,
 * in-context copy accuracy on subjects without a fixed fact (greedy next word = the answer), and on
 * conflicts (a known subject's context stating another object) how often the next word is the context's
 * object and by how much the model prefers its memory: the balance between the two pathways that IFT
 * starts from (the theory's δ_M against δ_C).
 */
public final class PretrainProbes {
    /**
     * @param conflictContext share of conflict probes whose next word is the context's object
     * @param conflictMargin  mean over conflict probes of log p(memorised object) − log p(context's object), nats
     */
    public record Scores(double closedBook, double copy, double conflictContext, double conflictMargin) {}

    private PretrainProbes() {}

    /** The probes of a world (pretrain_probes.jsonl); read once, measured at every probe step. */
    public static List<ProbeItem> read(Path probesFile) {
        List<ProbeItem> items = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(probesFile)) {
                if (!line.isBlank()) {
                    items.add(ProbeItem.fromJson(Json.MAPPER.readTree(line)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return items;
    }

    public static Scores measure(Transformer t, Tokenizer tok, List<ProbeItem> items) {
        List<String> prompts = items.stream().map(ProbeItem::prompt).toList();
        LocalTextModel m = new LocalTextModel(t, tok, "pretraining");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i += 128) {
            out.addAll(m.generate(prompts.subList(i, Math.min(prompts.size(), i + 128)),
                    GenerationOptions.greedy(1, List.of())));
        }
        int cb = 0, cbOk = 0, cp = 0, cpOk = 0, cf = 0, cfContext = 0;
        List<String> conflictPrompts = new ArrayList<>();
        List<String> contextObjects = new ArrayList<>();
        List<String> memoryObjects = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            ProbeItem item = items.get(i);
            boolean ok = out.get(i).trim().equals(item.answer());
            switch (item.kind()) {
                case ProbeItem.CLOSED_BOOK -> {
                    cb++;
                    cbOk += ok ? 1 : 0;
                }
                case ProbeItem.CONFLICT -> {
                    cf++;
                    cfContext += ok ? 1 : 0;
                    conflictPrompts.add(item.prompt());
                    contextObjects.add(" " + item.answer());
                    memoryObjects.add(" " + item.memory());
                }
                default -> {
                    cp++;
                    cpOk += ok ? 1 : 0;
                }
            }
        }
        double margin = Double.NaN;
        if (cf > 0) {
            double[] fromContext = m.logLikelihood(conflictPrompts, contextObjects);
            double[] fromMemory = m.logLikelihood(conflictPrompts, memoryObjects);
            double sum = 0;
            for (int i = 0; i < cf; i++) {
                sum += fromMemory[i] - fromContext[i];
            }
            margin = sum / cf;
        }
        return new Scores(rate(cbOk, cb), rate(cpOk, cp), rate(cfContext, cf), margin);
    }

    private static double rate(int hits, int n) {
        return n == 0 ? Double.NaN : (double) hits / n;
    }
}
