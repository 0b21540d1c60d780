package dev.luthier.cookbook.sft;

/**
 * The learning rate of each optimizer step (0-based). Implementations are pure functions of the step, so a resumed
 * run continues the same curve.
 */
public interface LearningRateSchedule {

    double learningRate(long step);

    /**
     * The schedule of a run: {@code kind} decaying from {@code peak} over the steps after warm-up, preceded by
     * {@code warmupSteps} of linear warm-up.
     */
    static LearningRateSchedule create(ScheduleKind kind, double peak, int warmupSteps, long totalSteps) {
        LearningRateSchedule decay = switch (kind) {
            case CONSTANT -> new ConstantSchedule(peak);
            case LINEAR -> new LinearDecaySchedule(peak, Math.max(1, totalSteps - warmupSteps));
            case COSINE -> new CosineSchedule(peak, Math.max(1, totalSteps - warmupSteps));
        };
        return warmupSteps == 0 ? decay : new LinearWarmup(peak, warmupSteps, decay);
    }
}
