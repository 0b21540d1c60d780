package dev.luthier.cookbook.rl;

import dev.luthier.api.input.ModelInput;
import dev.luthier.api.sampling.SampledSequence;
import dev.luthier.api.sampling.SamplingParams;
import dev.luthier.client.errors.LuthierException;
import dev.luthier.client.sampling.SamplingClient;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * {@code n} samples of one prompt as requests of at most {@code perRequest} samples each, for servers that limit the
 * samples of one request (a Luthier server takes any number and runs them in parts of its sampler slots). With a
 * seed, request {@code c} uses a seed derived from it and {@code c}, so the samples stay reproducible and distinct.
 */
public final class ChunkedSampling {
    /** The default sampler slots of {@code luthier serve}: larger requests gain nothing there. */
    public static final int DEFAULT_SAMPLES_PER_REQUEST = 16;

    private ChunkedSampling() {
    }

    public static CompletableFuture<List<SampledSequence>> sample(SamplingClient client, ModelInput prompt, int n,
                                                                 int perRequest, SamplingParams params) {
        if (n < 1 || perRequest < 1) {
            throw new IllegalArgumentException("n and perRequest must be at least 1, got " + n + " and " + perRequest);
        }
        List<CompletableFuture<List<SampledSequence>>> parts = new ArrayList<>();
        for (int from = 0, c = 0; from < n; from += perRequest, c++) {
            int count = Math.min(perRequest, n - from);
            SamplingParams p = params.seed() == null || c == 0 ? params
                    : new SamplingParams(params.maxTokens(), BigInteger.valueOf(Rollouts.mix(params.seed().longValue(), c, 0x5a)),
                    params.stop(), params.temperature(), params.topK(), params.topP());
            parts.add(client.sample(prompt, count, p).thenApply(r -> {
                if (r.sequences().size() != count) {
                    throw new LuthierException("asked for " + count + " samples, got " + r.sequences().size());
                }
                return r.sequences();
            }));
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(v -> {
            List<SampledSequence> out = new ArrayList<>(n);
            parts.forEach(f -> out.addAll(f.join()));
            return out;
        });
    }
}
