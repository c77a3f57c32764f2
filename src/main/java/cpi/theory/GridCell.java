package cpi.theory;

/**
 * One grid cell's outcome. peak_step = 0 means M_C never rose; peak_step = steps means it had not
 * (yet) fallen within the step budget.
 */
public record GridCell(double deltaC, double deltaM, double lr, double cRatio, int cPoints, int csPoints,
                       int peakStep, double peakMc, double finalMc, double drop) {
}
