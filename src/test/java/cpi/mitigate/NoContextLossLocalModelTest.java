package cpi.mitigate;

import cpi.cli.CliRun;
import cpi.train.IftExample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import cpi.model.LocalTextModel;
import cpi.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The filter with a real in-process model (../shared/models/fake_gpt2: random weights, real GPT-2 tokenizer). */
class NoContextLossLocalModelTest {
    static final Path MODEL = Path.of("../shared/models/fake_gpt2");

    static List<IftExample> data() {
        List<IftExample> d = new ArrayList<>();
        String[] outs = {"Paris", "The answer is forty-two.", "blue", "Yes", "A long answer with several words in it.",
            "1945", "Jupiter", "No", "green tea", "It depends on the context given.", "Marie Curie", "seven"};
        for (int i = 0; i < outs.length; i++) {
            d.add(new IftExample("e" + i, "Question number " + i + "?", i % 2 == 0 ? "Some context " + i : "",
                    outs[i], null, null));
        }
        return d;
    }

    @Test
    void scoresAreTheMeanTargetTokenLossOfTheInstructionOnlyPrompt() {
        try (ScoringModel m = ScoringModel.open(MODEL)) {
            List<IftExample> d = data();
            NoContextLossFilter f = new NoContextLossFilter(m.model(), NoContextLossFilter.Options.defaults(0.25)
                    .withBatchSize(5));
            double[] scores = f.score(d);
            LocalTextModel local = (LocalTextModel) m.model();
            for (int i : new int[] {0, 4, 11}) {
                double[] lp = local.tokenLogProbs(List.of("Q: Question number " + i + "?\nA:"),
                        List.of(" " + d.get(i).output())).logProbs()[0];
                double mean = -java.util.Arrays.stream(lp).sum() / lp.length;
                assertEquals(mean, scores[i], 1e-4, "example " + i);
            }
            FilterResult r = f.select(d, scores);
            assertEquals(3, r.dropped().size());
        }
    }

    @Test
    void aResponseLongerThanTheContextIsScoredOnItsBeginning() {
        try (ScoringModel m = ScoringModel.open(MODEL)) {
            String longOutput = "word ".repeat(1500).strip(); // > 1024 positions of fake_gpt2
            List<IftExample> d = List.of(new IftExample("long", "Write a lot.", "", longOutput, null, null),
                    new IftExample("short", "Say hi.", "", "hi", null, null));
            double[] s = new NoContextLossFilter(m.model(), NoContextLossFilter.Options.defaults(0.5)).score(d);
            assertTrue(Double.isFinite(s[0]) && Double.isFinite(s[1]));
            LocalTextModel local = (LocalTextModel) m.model();
            String fitted = NoContextLossFilter.fitToContext(local, "Q: Write a lot.\nA:", " " + longOutput);
            int[][] split = local.splitInContextIds("Q: Write a lot.\nA:", fitted);
            assertTrue(split[0].length + split[1].length <= 1024);
            assertTrue(split[1].length > 1000, "keeps as much of the response as fits: " + split[1].length);
        }
    }

    @Test
    void cliFilterWithARealModelWritesKeptSetReportAndUsesTheCacheOnRerun(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("d.jsonl");
        MitigationData.write(data, data());
        Path cache = tmp.resolve("cache");
        String[] args = {"data", "filter", "--data", data.toString(), "--by", "no-context-loss", "--model",
            MODEL.toString(), "--drop-fraction", "0.5", "--out", tmp.resolve("kept.jsonl").toString(), "--cache-dir",
            cache.toString(), "-q"};
        CliRun.Output first = CliRun.cpi(args);
        assertEquals(0, first.code(), first.err());
        assertEquals(6, MitigationData.read(tmp.resolve("kept.jsonl")).size());
        JsonNode rep = Json.read(tmp.resolve("kept.report/filter-report.json"));
        assertTrue(rep.path("provenance").path("model").asText().startsWith("sha256:"));
        assertEquals("plain", rep.path("provenance").path("template").asText());
        assertTrue(Files.exists(tmp.resolve("kept.report/scores.png")));
        String keptFirst = Files.readString(tmp.resolve("kept.jsonl"));
        CliRun.Output second = CliRun.cpi(args);
        assertEquals(0, second.code(), second.err());
        assertTrue(second.err().contains("scores: from cache"), second.err());
        assertEquals(keptFirst, Files.readString(tmp.resolve("kept.jsonl")));
    }
}
