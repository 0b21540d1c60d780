package dev.luthier.cookbook.rl;

import dev.luthier.client.sampling.SamplingClient;

/** A sampling client and the number of optimizer steps its weights had seen when they were saved. */
public record VersionedSampler(SamplingClient client, int version) {
}
