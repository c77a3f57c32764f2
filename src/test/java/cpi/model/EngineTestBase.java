package cpi.model;

import ai.djl.ndarray.NDManager;
import cpi.util.Djl;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Shared setup of the inference tests: one engine manager per class and the families to run over. */
abstract class EngineTestBase {
    static NDManager manager;

    @BeforeAll
    static void openManager() {
        Djl.engine();
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void closeManager() {
        manager.close();
    }

    static List<String> families() {
        return InferenceFixtures.FAMILIES;
    }
}
