package cpi.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import cpi.experiment.CheckpointStore;
import cpi.experiment.RunLock;
import cpi.experiment.TrajectoryRecord;
import cpi.experiment.TrajectoryStore;
import cpi.model.LoadedModel;
import cpi.model.ModelLoader;
import cpi.util.Djl;
import cpi.util.Json;
import cpi.util.UserError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FinetuneTest {
    @TempDir
    Path dir;
    NDManager manager;

    @BeforeEach
    void setUp() {
        Djl.engine();
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void tearDown() {
        Finetune.faultInjector = null;
        IoFaults.disarm();
        manager.close();
    }

    FinetuneConfig config(Path out, TrainMode mode, long steps) {
        return FinetuneConfig.defaults(null, TinyModels.alpaca(dir, 40, 1).toString(), out).withTemplate("plain")
                .withTrain(mode).withLr(3e-3).withSteps(steps, 2, 2).withBatch(4, 256, 64)
                .withHeldout(0.1, 8, 0).withReport(false).withSchedule("linear", 0.0).withSeed(5);
    }

    static List<TrajectoryRecord> losses(Path run) {
        return new TrajectoryStore(run).read().stream().filter(r -> r.dataset().equals("_train")
                && r.metric().equals("loss")).toList();
    }

    @Test
    void fullRunWritesTrajectoryCheckpointsAndACheckpointThatLoadsInCpi() {
        Path out = dir.resolve("run");
        LoadedModel lm = TinyModels.load(TinyModels.llama(), 1, manager);
        Finetune.RunSummary s = Finetune.run(config(out, TrainMode.FULL, 6), lm);
        assertEquals(6, s.steps());
        assertEquals(6, losses(out).size());
        assertTrue(losses(out).get(5).value() < losses(out).get(0).value(), "loss should fall");
        assertEquals(4, new TrajectoryStore(out).read().stream().filter(r -> r.metric().equals("heldout_loss")).count());
        List<CheckpointStore.Checkpoint> cks = new CheckpointStore(out).list();
        assertEquals(List.of(4L, 6L), cks.stream().map(CheckpointStore.Checkpoint::step).toList()); // keep last 2
        assertTrue(CheckpointStore.verify(cks.get(1).dir(), true));
        assertEquals("complete", Json.read(out.resolve("run.json")).get("status").asText());
        assertTrue(Files.exists(out.resolve("analysis.json")));
        // The final checkpoint is an HF directory cpi loads, with exactly the trained weights.
        try (NDManager m = manager.newSubManager()) {
            LoadedModel back = ModelLoader.load(cks.get(1).dir(), m);
            lm.transformer().parameters().forEach((k, v) ->
                    assertArrayEquals(v.toFloatArray(), back.transformer().parameters().get(k).toFloatArray(), k));
        }
    }

    @Test
    void loraRunSavesPeftAdapterAndMergedWeights() throws Exception {
        Path out = dir.resolve("lora");
        LoadedModel lm = TinyModels.load(TinyModels.llama(), 2, manager);
        Finetune.run(config(out, TrainMode.LORA, 4).withLr(1e-2), lm);
        Path ck = new CheckpointStore(out).latestValid().orElseThrow().dir();
        var cfg = Json.read(ck.resolve("adapter/adapter_config.json"));
        assertEquals("LORA", cfg.get("peft_type").asText());
        assertEquals(8, cfg.get("r").asInt());
        assertTrue(cfg.get("target_modules").toString().contains("q_proj"));
        try (NDManager m = manager.newSubManager()) {
            var adapter = TensorFile.read(ck.resolve("adapter/adapter_model.safetensors"), m);
            assertTrue(adapter.keySet().stream().anyMatch(k -> k.startsWith("base_model.model.")
                    && k.endsWith("self_attn.q_proj.lora_A.weight")), adapter.keySet().toString());
            // Merged weights = base + scale·BA: the merged model reproduces base+adapter outputs.
            LoadedModel merged = ModelLoader.load(ck, m);
            LoadedModel base = TinyModels.load(TinyModels.llama(), 2, m);
            NDArray ids = m.create(new long[] {3, 5, 7, 9, 11}, new ai.djl.ndarray.types.Shape(1, 5));
            float[] mergedOut = merged.transformer().forward(ids, null, null, false, null).toFloatArray();
            TrainerOptions o = config(out, TrainMode.LORA, 4).trainerOptions(4);
            try (Trainer tr = new Trainer(new TransformerModel(base.transformer()), o, 0)) {
                tr.loadState(ck);
                float[] adapted = base.transformer().forward(ids, null, null, false, null).toFloatArray();
                assertArrayEquals(adapted, mergedOut, 1e-4f);
            }
        }
    }

    @Test
    void nanLossIsSkippedAndRepeatedNansStopTheRunWithTheTrajectoryIntact() {
        Path out = dir.resolve("nan");
        LoadedModel lm = TinyModels.load(TinyModels.llama(), 3, manager);
        Finetune.faultInjector = s -> s == 2;
        Finetune.RunSummary s = Finetune.run(config(out, TrainMode.FULL, 5), lm);
        assertEquals(5, s.steps());
        assertEquals(1, s.skippedSteps());
        assertTrue(losses(out).stream().allMatch(r -> Double.isFinite(r.value())));
        assertTrue(new TrajectoryStore(out).read().stream().anyMatch(r -> r.metric().equals("skipped_steps")));

        Path out2 = dir.resolve("nan2");
        LoadedModel lm2 = TinyModels.load(TinyModels.llama(), 3, manager);
        Finetune.faultInjector = st -> st >= 3; // every call from the fourth on
        UserError e = assertThrows(UserError.class,
                () -> Finetune.run(config(out2, TrainMode.FULL, 8).withFaultLimit(3), lm2));
        assertTrue(e.getMessage().contains("3 consecutive non-finite losses"), e.getMessage());
        assertTrue(e.getMessage().contains("step-000002"), e.getMessage());
        assertEquals(3, losses(out2).size()); // steps 1..3 trained, then nothing lost or invented
        assertEquals("failed", Json.read(out2.resolve("run.json")).get("status").asText());
        Finetune.faultInjector = null;
        // The stopped run resumes from its last good checkpoint.
        LoadedModel lm3 = TinyModels.load(TinyModels.llama(), 3, manager);
        assertEquals(8, Finetune.run(config(out2, TrainMode.FULL, 8).withResume(true), lm3).steps());
    }

    @Test
    void diskFullWhileSavingIsAClearErrorAndThePreviousCheckpointSurvives() throws Exception {
        Path out = dir.resolve("full");
        LoadedModel lm = TinyModels.load(TinyModels.llama(), 4, manager);
        // Let the first checkpoint (step 2) through, then fail the next one's writes.
        IoFaults.diskFullAfter(3);
        UserError e = assertThrows(UserError.class, () -> Finetune.run(config(out, TrainMode.FULL, 6), lm));
        assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
        assertTrue(e.getMessage().contains("step-000002 is intact"), e.getMessage());
        CheckpointStore store = new CheckpointStore(out);
        assertEquals(2, store.latestValid().orElseThrow().step());
        try (var s = Files.list(store.dir())) {
            assertEquals(1, s.count()); // no temporary directory left behind
        }
        IoFaults.disarm();
        LoadedModel again = TinyModels.load(TinyModels.llama(), 4, manager);
        assertEquals(6, Finetune.run(config(out, TrainMode.FULL, 6).withResume(true), again).steps());
    }

    @Test
    void secondWriterOfARunDirectoryIsRefused() {
        Path out = dir.resolve("locked");
        try (RunLock l = RunLock.acquire(out)) {
            LoadedModel lm = TinyModels.load(TinyModels.llama(), 5, manager);
            UserError e = assertThrows(UserError.class, () -> Finetune.run(config(out, TrainMode.QK, 2), lm));
            assertTrue(e.getMessage().contains("another cpi process"), e.getMessage());
        }
        assertFalse(Files.exists(out.resolve("trajectory.jsonl")));
    }

    @Test
    void resumeWithOtherDataOrModeIsRefused() throws Exception {
        Path out = dir.resolve("mismatch");
        Finetune.run(config(out, TrainMode.QK, 2), TinyModels.load(TinyModels.llama(), 6, manager));
        UserError e = assertThrows(UserError.class, () -> Finetune.run(config(out, TrainMode.FULL, 4).withResume(true),
                TinyModels.load(TinyModels.llama(), 6, manager)));
        assertTrue(e.getMessage().contains("same --train"), e.getMessage());
        Path other = dir.resolve("other");
        Files.createDirectories(other);
        FinetuneConfig c = FinetuneConfig.defaults(null, TinyModels.alpaca(other, 40, 99).toString(), out)
                .withTemplate("plain").withTrain(TrainMode.QK).withSteps(4, 2, 2).withBatch(4, 256, 64)
                .withReport(false).withResume(true);
        e = assertThrows(UserError.class, () -> Finetune.run(c, TinyModels.load(TinyModels.llama(), 6, manager)));
        assertTrue(e.getMessage().contains("different training data"), e.getMessage());
    }

    @Test
    void existingRunWithoutResumeIsRefused() {
        Path out = dir.resolve("again");
        Finetune.run(config(out, TrainMode.QK, 2), TinyModels.load(TinyModels.llama(), 6, manager));
        UserError e = assertThrows(UserError.class,
                () -> Finetune.run(config(out, TrainMode.QK, 2), TinyModels.load(TinyModels.llama(), 6, manager)));
        assertTrue(e.getMessage().contains("--resume"), e.getMessage());
    }

    @Test
    void resumedRunReproducesTheUninterruptedLossesExactly() {
        Path a = dir.resolve("straight");
        Finetune.run(config(a, TrainMode.FULL, 6).withRegularization(0.01, 1.0, 0.1),
                TinyModels.load(TinyModels.llama(), 7, manager));
        Path b = dir.resolve("stopped");
        // Stop after step 3 (the Ctrl-C path), then resume.
        Finetune.Listener stopAt3 = new Finetune.Listener() {
            @Override
            public void onStep(StepResult r, double epoch) {
                if (r.step() == 3) {
                    Finetune.requestStop();
                }
            }
        };
        Finetune.RunSummary first = Finetune.run(config(b, TrainMode.FULL, 6).withRegularization(0.01, 1.0, 0.1),
                TinyModels.load(TinyModels.llama(), 7, manager), stopAt3);
        assertTrue(first.interrupted());
        assertEquals(3, first.steps());
        assertEquals("interrupted", Json.read(b.resolve("run.json")).get("status").asText());
        Finetune.run(config(b, TrainMode.FULL, 6).withRegularization(0.01, 1.0, 0.1).withResume(true),
                TinyModels.load(TinyModels.llama(), 7, manager));
        assertEquals(losses(a).stream().map(TrajectoryRecord::value).toList(),
                losses(b).stream().map(TrajectoryRecord::value).toList());
        assertNotNull(new CheckpointStore(b).latestValid().orElse(null));
    }
}
