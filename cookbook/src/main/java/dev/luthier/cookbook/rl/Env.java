package dev.luthier.cookbook.rl;

import dev.luthier.api.sampling.StopReason;

/**
 * One episode of an RL environment (the cookbook's {@code Env}): single use, no reset. The trainer samples an
 * action from {@link #initialObservation()}, passes it to {@link #step}, and continues from the next observation
 * until a step says the episode is done. An environment must end its episodes (e.g. after a fixed number of turns).
 */
public interface Env {

    /** The first prompt and its stop condition. */
    Observation initialObservation();

    /**
     * Takes the sampled tokens of one turn (including the stop token, if the sampler stopped on one) and how
     * sampling ended.
     */
    StepResult step(int[] action, StopReason stopReason);
}
