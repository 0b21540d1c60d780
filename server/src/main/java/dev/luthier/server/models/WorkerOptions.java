package dev.luthier.server.models;

import java.time.Duration;

/**
 * How a model worker schedules: the token budget of one packed training pass, the sampler's concurrent samples and
 * context, how long a seq_id gap may stay open, and how many waiting samples make {@code asample} push back.
 */
public record WorkerOptions(int passTokenBudget, int samplerSlots, int samplerContext, Duration gapTimeout,
                            int maxQueuedSamples) {
    public static WorkerOptions defaults() {
        return new WorkerOptions(8192, 32, 2048, Duration.ofMinutes(2), 4096);
    }
}
