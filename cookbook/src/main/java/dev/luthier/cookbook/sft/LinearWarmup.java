package dev.luthier.cookbook.sft;

/**
 * {@code peak * (step + 1) / warmupSteps} for the first {@code warmupSteps} steps (so the first step already moves
 * and the last warm-up step reaches the peak), then {@code after} counted from the end of warm-up.
 */
public record LinearWarmup(double peak, int warmupSteps, LearningRateSchedule after) implements LearningRateSchedule {

    public LinearWarmup {
        ConstantSchedule.requireRate(peak);
        if (warmupSteps < 1) {
            throw new IllegalArgumentException("warm-up needs at least one step, got " + warmupSteps);
        }
    }

    @Override
    public double learningRate(long step) {
        if (step < warmupSteps) {
            return peak * (step + 1) / warmupSteps;
        }
        return after.learningRate(step - warmupSteps);
    }
}
