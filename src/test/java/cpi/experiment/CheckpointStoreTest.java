package cpi.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cpi.util.UserError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointStoreTest {
    @TempDir
    Path run;

    private static CheckpointStore.Contents files(String payload) {
        return d -> {
            Files.writeString(d.resolve("model.bin"), payload);
            Files.createDirectories(d.resolve("adapter"));
            Files.writeString(d.resolve("adapter/a.json"), "{}");
        };
    }

    @Test
    void savedCheckpointsVerifyAndTamperingIsDetected() throws Exception {
        CheckpointStore store = new CheckpointStore(run);
        store.save(2, files("two"));
        store.save(4, files("four"));
        assertEquals(List.of(2L, 4L), store.list().stream().map(CheckpointStore.Checkpoint::step).toList());
        assertEquals(4, store.latestValid().orElseThrow().step());
        // Same size, different bytes: only the checksum notices; the loader falls back to step 2.
        Files.writeString(run.resolve("checkpoints/step-000004/model.bin"), "fuor");
        assertEquals(2, store.latestValid().orElseThrow().step());
        // A directory without the marker (a torn copy) is not a checkpoint at all.
        Files.delete(run.resolve("checkpoints/step-000002/" + CheckpointStore.MARKER));
        assertEquals(List.of(4L), store.list().stream().map(CheckpointStore.Checkpoint::step).toList());
        assertTrue(store.latestValid().isEmpty());
    }

    @Test
    void failedSaveLeavesPreviousCheckpointAndNoTemporaryDirectory() throws Exception {
        CheckpointStore store = new CheckpointStore(run);
        store.save(1, files("one"));
        UserError e = assertThrows(UserError.class, () -> store.save(2, d -> {
            Files.writeString(d.resolve("model.bin"), "partial");
            throw new IOException("No space left on device");
        }));
        assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
        assertTrue(e.getMessage().contains("step-000001 is intact"), e.getMessage());
        assertEquals(1, store.latestValid().orElseThrow().step());
        try (Stream<Path> s = Files.list(store.dir())) {
            assertEquals(List.of("step-000001"), s.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void retentionKeepsLastAndBest() {
        CheckpointStore store = new CheckpointStore(run);
        for (long s = 1; s <= 5; s++) {
            store.save(s, files("s" + s));
        }
        store.retain(2, Set.of(2L));
        assertEquals(List.of(2L, 4L, 5L), store.list().stream().map(CheckpointStore.Checkpoint::step).toList());
        store.dropAfter(4);
        assertEquals(List.of(2L, 4L), store.list().stream().map(CheckpointStore.Checkpoint::step).toList());
    }

    @Test
    void temporaryDirectoriesAreCleaned() throws Exception {
        CheckpointStore store = new CheckpointStore(run);
        Files.createDirectories(store.dir().resolve(".tmp-step-000003-99"));
        store.cleanTemporary();
        assertFalse(Files.exists(store.dir().resolve(".tmp-step-000003-99")));
    }
}
