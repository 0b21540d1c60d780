package dev.luthier.cookbook.sft;

/** The same learning rate at every step. */
public record ConstantSchedule(double rate) implements LearningRateSchedule {

    public ConstantSchedule {
        requireRate(rate);
    }

    @Override
    public double learningRate(long step) {
        return rate;
    }

    static void requireRate(double rate) {
        if (!(rate > 0) || !Double.isFinite(rate)) {
            throw new IllegalArgumentException("the learning rate must be positive and finite, got " + rate);
        }
    }
}
