package dev.luthier.server.models;

import java.time.Duration;

/**
 * How a model worker schedules: the token budget of one packed training pass, the sampler's concurrent samples and
 * context, how long a seq_id gap may stay open, and how many waiting samples make {@code asample} push back.
 */
public record WorkerOptions(int passTokenBudget, int samplerSlots, int samplerContext, Duration gapTimeout,
                            int maxQueuedSamples) {
    public static WorkerOptions defaults() {
        // The KV cache is allocated whole (slots x context per layer), so these bound its size: 3.8 GiB for Qwen3-0.6B.
        return new WorkerOptions(8192, 16, 1024, Duration.ofMinutes(2), 4096);
    }
}
