package cpi.theory;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The dynamics depend only on inner products: a random orthonormal basis and token roles change nothing. */
class InvarianceTest {

    @Test
    void seedChangesBasisAndTokensButNotTheTrajectory() {
        TheoryParams p = TheoryParams.defaults().withSteps(40).withSPoints(2).withTrain(TrainMode.KQ_V);
        Trajectory a = TheorySimulator.run(p);
        Trajectory b = TheorySimulator.run(p.withSeed(17));
        for (int i = 0; i < a.steps().size(); i++) {
            StepMetrics x = a.steps().get(i);
            StepMetrics y = b.steps().get(i);
            assertEquals(x.mcTest(), y.mcTest(), 1e-9);
            assertEquals(x.gradThetaC(), y.gradThetaC(), 1e-9);
            assertEquals(x.attCs(), y.attCs(), 1e-9);
            assertEquals(x.lossC(), y.lossC(), 1e-9);
        }
    }
}
