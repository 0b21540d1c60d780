package dev.luthier.cookbook.schedule;

/**
 * How the learning rate moves over a run, as a factor of the configured rate at each step (the cookbook's
 * {@code lr_schedule}): {@code constant}, {@code linear} decay to 0 at the last step, or {@code cosine} decay to 0.
 */
public enum LearningRateSchedule {
    CONSTANT,
    LINEAR,
    COSINE;

    /** The factor for step {@code step} (0-based) of {@code totalSteps}. */
    public double factor(long step, long totalSteps) {
        if (totalSteps <= 0 || step < 0) {
            throw new IllegalArgumentException("step " + step + " of " + totalSteps);
        }
        double progress = Math.min(1.0, (double) step / totalSteps);
        return switch (this) {
            case CONSTANT -> 1.0;
            case LINEAR -> 1.0 - progress;
            case COSINE -> 0.5 * (1 + Math.cos(Math.PI * progress));
        };
    }
}
