package cpi.theory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Runs the simulator over every cell of a {@link GridSpec}, other parameters taken from a base. */
public final class GridSweep {
    private GridSweep() {}

    public static List<GridCell> run(TheoryParams base, GridSpec spec, Consumer<GridCell> onCell) {
        int contextPoints = base.cPoints() + base.csPoints();
        List<GridCell> cells = new ArrayList<>(spec.size());
        for (double dc : spec.deltaC()) {
            for (double dm : spec.deltaM()) {
                for (double lr : spec.lr()) {
                    for (double ratio : spec.cRatio()) {
                        int c = (int) Math.round(ratio * contextPoints);
                        TheoryParams p = base.withDeltaC(dc).withDeltaM(dm).withLr(lr)
                                .withCPoints(c).withCsPoints(contextPoints - c);
                        Trajectory t = TheorySimulator.run(p);
                        StepMetrics peak = t.peak();
                        GridCell cell = new GridCell(dc, dm, lr, ratio, c, contextPoints - c, peak.step(),
                                peak.mcTest(), t.last().mcTest(), t.drop());
                        cells.add(cell);
                        onCell.accept(cell);
                    }
                }
            }
        }
        return cells;
    }
}
