package dev.luthier.cookbook.rl;

import dev.luthier.api.sampling.SampledSequence;
import dev.luthier.api.sampling.SamplingParams;
import dev.luthier.client.errors.LuthierException;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Runs the episodes of a group against a sampler. When every environment of the group starts from the same
 * observation (the usual case: one prompt answered G times) the first turn is one request with
 * {@code num_samples = G} (split into requests of at most {@code samplesPerRequest}); later turns of multi-turn episodes are sampled per episode.
 */
public final class Rollouts {
    private final int maxTokens;
    private final double temperature;
    private final int samplesPerRequest;

    /** @param samplesPerRequest most samples asked of the server in one request (see {@link ChunkedSampling}) */
    public Rollouts(int maxTokens, double temperature, int samplesPerRequest) {
        this.maxTokens = maxTokens;
        this.temperature = temperature;
        this.samplesPerRequest = samplesPerRequest;
    }

    /**
     * The finished group. {@code seed} makes the sampling reproducible (each turn derives its own seed from it);
     * null samples unseeded.
     */
    public CompletableFuture<TrajectoryGroup> group(EnvGroupBuilder builder, int groupSize, VersionedSampler sampler,
                                                    Long seed) {
        List<Env> envs = builder.makeEnvs(groupSize);
        if (envs.size() != groupSize) {
            throw new IllegalStateException(builder.tag() + " made " + envs.size() + " environments, not " + groupSize);
        }
        List<Observation> first = envs.stream().map(Env::initialObservation).toList();
        boolean shared = first.stream().allMatch(o -> o.equals(first.getFirst()));
        List<CompletableFuture<SampledSequence>> firstActions = new ArrayList<>(groupSize);
        if (shared) {
            CompletableFuture<List<SampledSequence>> all = sample(sampler, first.getFirst(), groupSize, seed, 0, 0);
            for (int i = 0; i < groupSize; i++) {
                int at = i;
                firstActions.add(all.thenApply(s -> s.get(at)));
            }
        } else {
            for (int i = 0; i < groupSize; i++) {
                firstActions.add(sample(sampler, first.get(i), 1, seed, i, 0).thenApply(List::getFirst));
            }
        }
        List<CompletableFuture<Trajectory>> episodes = new ArrayList<>(groupSize);
        for (int i = 0; i < groupSize; i++) {
            int episode = i;
            episodes.add(firstActions.get(i).thenCompose(action ->
                    continueEpisode(envs.get(episode), first.get(episode), action, new ArrayList<>(), sampler, seed, episode, 0)));
        }
        return CompletableFuture.allOf(episodes.toArray(CompletableFuture[]::new)).thenApply(v -> {
            List<Trajectory> trajectories = episodes.stream().map(CompletableFuture::join).toList();
            return new TrajectoryGroup(trajectories, builder.groupRewards(trajectories), builder.tag(), sampler.version());
        });
    }

    private CompletableFuture<Trajectory> continueEpisode(Env env, Observation ob, SampledSequence action,
                                                          List<Transition> done, VersionedSampler sampler, Long seed,
                                                          int episode, int turn) {
        if (action.logprobs() == null) {
            throw new LuthierException("the sampler returned no logprobs; RL needs them for every sampled token");
        }
        StepResult r = env.step(action.tokens(), action.stopReason());
        done.add(new Transition(ob, action.tokens(), action.logprobs(), r.reward(), r.episodeDone(), r.metrics()));
        if (r.episodeDone()) {
            return CompletableFuture.completedFuture(new Trajectory(done));
        }
        return sample(sampler, r.nextObservation(), 1, seed, episode, turn + 1).thenCompose(next ->
                continueEpisode(env, r.nextObservation(), next.getFirst(), done, sampler, seed, episode, turn + 1));
    }

    private CompletableFuture<List<SampledSequence>> sample(VersionedSampler sampler, Observation ob, int n, Long seed,
                                                            int episode, int turn) {
        BigInteger s = seed == null ? null : BigInteger.valueOf(mix(seed, episode, turn));
        SamplingParams params = new SamplingParams(maxTokens, s, ob.stop(), temperature, -1, 1.0);
        return ChunkedSampling.sample(sampler.client(), ob.input(), n, samplesPerRequest, params);
    }

    /** A seed for one sampling call, distinct per (seed, episode, turn) and non-negative. */
    static long mix(long seed, long a, long b) {
        long h = seed * 0x9E3779B97F4A7C15L + a * 0xBF58476D1CE4E5B9L + b * 0x94D049BB133111EBL;
        h ^= h >>> 31;
        return h & Long.MAX_VALUE;
    }
}
