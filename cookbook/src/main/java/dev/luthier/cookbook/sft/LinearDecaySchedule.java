package dev.luthier.cookbook.sft;

/** {@code peak * (1 - step / steps)}: the peak at step 0, falling linearly, 0 from step {@code steps} on. */
public record LinearDecaySchedule(double peak, long steps) implements LearningRateSchedule {

    public LinearDecaySchedule {
        ConstantSchedule.requireRate(peak);
        if (steps < 1) {
            throw new IllegalArgumentException("a decay needs at least one step, got " + steps);
        }
    }

    @Override
    public double learningRate(long step) {
        return peak * Math.max(0.0, 1.0 - (double) step / steps);
    }
}
