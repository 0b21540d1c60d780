package dev.luthier.cli.demo;

import java.nio.file.Path;

/**
 * What a demo run measured: greedy accuracy on the same held-out problems for the base model, after LoRA SFT and
 * after RL on top of it, the time each phase took, and where its files are. {@code baseAccuracyOwnFormat} is the
 * base model's accuracy on other held-out problems asked in its pretraining format, measured when it was built (NaN
 * when unknown): what it knew before learning the chat format.
 */
public record DemoResult(String baseModel, Path baseModelDir, boolean baseModelReused,
                         double baseAccuracyOwnFormat, int heldOutProblems,
                         double accuracyBefore, double accuracyAfterSft, double accuracyAfter,
                         double formatBefore, double formatAfterSft, double formatAfter,
                         double pretrainingSeconds, double sftSeconds, double rlSeconds, double evalSeconds,
                         double totalSeconds, double cpuSeconds, Path runDir, Path report, String samplerPath) {
}
