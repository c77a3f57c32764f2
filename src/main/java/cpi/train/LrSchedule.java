package cpi.train;

/**
 * Learning rate per optimizer step: linear warmup from 0 over {@code warmupSteps}, then constant, linear
 * decay or cosine decay to {@code minLr} at {@code totalSteps}. Step numbers are 0-based (the update that
 * produces step 1 uses lr(0)).
 */
public record LrSchedule(Kind kind, double peakLr, double minLr, long warmupSteps, long totalSteps) {

    public enum Kind { CONSTANT, LINEAR, COSINE }

    public LrSchedule {
        if (!(peakLr > 0) || !Double.isFinite(peakLr)) {
            throw new IllegalArgumentException("learning rate must be positive, got " + peakLr);
        }
        if (warmupSteps < 0 || totalSteps < 1) {
            throw new IllegalArgumentException("bad schedule lengths: warmup " + warmupSteps + ", total " + totalSteps);
        }
    }

    public double lr(long step) {
        if (warmupSteps > 0 && step < warmupSteps) {
            return peakLr * (step + 1) / (double) warmupSteps;
        }
        if (kind == Kind.CONSTANT) {
            return peakLr;
        }
        long decaySteps = Math.max(1, totalSteps - warmupSteps);
        double progress = Math.min(1.0, (step - warmupSteps) / (double) decaySteps);
        double factor = kind == Kind.LINEAR ? 1 - progress : 0.5 * (1 + Math.cos(Math.PI * progress));
        return minLr + (peakLr - minLr) * factor;
    }
}
