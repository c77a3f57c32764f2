package cpi.report;

/**
 * The headline numbers of one dataset in one run: counterfactual accuracy at the start, at its peak and
 * at the end, the drop (peak − final) and whether it is an inversion (rise, then fall, both beyond the
 * CIs; null when the run has no CIs to judge by). Capability and parametric accuracy at the end are NaN
 * when not measured.
 */
public record DatasetSummary(String dataset, long startStep, double start, long peakStep, double peak,
                             long finalStep, double finalValue, double drop, Boolean inversion,
                             double finalParametric, double finalCapability) {}
