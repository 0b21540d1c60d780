package dev.luthier.cookbook.sft;

/** {@code peak * (1 + cos(pi * step / steps)) / 2}: the peak at step 0, 0 from step {@code steps} on. */
public record CosineSchedule(double peak, long steps) implements LearningRateSchedule {

    public CosineSchedule {
        ConstantSchedule.requireRate(peak);
        if (steps < 1) {
            throw new IllegalArgumentException("a decay needs at least one step, got " + steps);
        }
    }

    @Override
    public double learningRate(long step) {
        double t = Math.min(1.0, (double) step / steps);
        return peak * 0.5 * (1 + Math.cos(Math.PI * t));
    }
}
