package cpi.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrajectoryStoreTest {
    @TempDir
    Path dir;

    @Test
    void laterRecordForSameKeyReplacesEarlierAndOrderIsByStep() {
        TrajectoryStore store = new TrajectoryStore(dir);
        store.append(TrajectoryRecord.of(20, "cf", "counterfactual_accuracy", 0.5));
        store.append(TrajectoryRecord.of(10, "cf", "counterfactual_accuracy", 0.3));
        store.append(TrajectoryRecord.of(20, "cf", "counterfactual_accuracy", 0.6));
        List<TrajectoryRecord> rs = store.read();
        assertEquals(2, rs.size());
        assertEquals(10, rs.get(0).step());
        assertEquals(0.6, rs.get(1).value());
    }

    @Test
    void tornTailIsIgnoredAndRepairedOnNextAppend() throws Exception {
        TrajectoryStore store = new TrajectoryStore(dir);
        store.append(TrajectoryRecord.of(1, "cf", "m", 0.1));
        Files.writeString(store.file(), "{\"step\":2,\"datas", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        assertEquals(1, store.read().size());
        store.append(TrajectoryRecord.of(3, "cf", "m", 0.3));
        List<TrajectoryRecord> rs = store.read();
        assertEquals(List.of(1L, 3L), rs.stream().map(TrajectoryRecord::step).toList());
    }
}
