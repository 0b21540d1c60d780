package dev.luthier.server.sampling;

import dev.luthier.engine.lora.LoraAdapter;

/**
 * A sampling session: a base model and, unless it samples the base model itself, a frozen adapter (loaded from a
 * sampler checkpoint, or copied from a training run by an unnamed save).
 */
public record SamplingSession(String id, String baseModel, String modelPath, LoraAdapter adapter) {
}
