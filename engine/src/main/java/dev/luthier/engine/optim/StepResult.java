package dev.luthier.engine.optim;

/** What an optimizer step reports: the step number and the global gradient norm before clipping. */
public record StepResult(int step, double gradNorm, boolean clipped) {
}
