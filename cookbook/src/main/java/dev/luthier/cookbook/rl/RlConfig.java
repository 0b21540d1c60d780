package dev.luthier.cookbook.rl;

import dev.luthier.cookbook.config.ConfigOverrides;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * The settings of an RL run (the Python cookbook's {@code rl.train.Config}). Every component can be set from the
 * command line as {@code name=value} through {@link ConfigOverrides}.
 *
 * @param modelName                  base model name as the server knows it
 * @param rank                       LoRA rank
 * @param learningRate               Adam learning rate (constant)
 * @param groupsPerBatch             groups (prompts) per training step
 * @param groupSize                  episodes per group (samples per prompt)
 * @param maxTokens                  most tokens sampled per turn
 * @param temperature                sampling temperature (1 keeps the sampler's logprobs those of the policy)
 * @param loss                       {@code importance_sampling} or {@code ppo}
 * @param klPenaltyCoef              weight of the KL penalty against the frozen base model; 0 turns it off
 * @param steps                      training steps
 * @param evalEvery                  evaluate the test set every this many steps (and at the end); 0 never
 * @param saveEvery                  save a named checkpoint every this many steps; 0 only the final one
 * @param logDir                     where {@code metrics.jsonl}, {@code config.json} and {@code checkpoints.jsonl} go
 * @param seed                       seeds the LoRA initialisation, the data order and the sampler
 * @param mode                       {@code sync} (on-policy) or {@code async} (sampling runs ahead of training)
 * @param maxStaleness               async only: groups sampled with weights more than this many steps old are dropped
 * @param removeConstantRewardGroups skip groups whose rewards are all equal (they have no learning signal)
 * @param ppoClipLow                 {@code ppo} only: the lower bound of the clipped probability ratio
 * @param ppoClipHigh                {@code ppo} only: the upper bound of the clipped probability ratio
 * @param samplesPerRequest          most samples asked of the server in one request (a Luthier server decodes at most
 *                                   its sampler slots at once, 16 by default); larger groups are sampled in several requests
 */
public record RlConfig(String modelName, int rank, double learningRate, int groupsPerBatch, int groupSize, int maxTokens,
                       double temperature, Loss loss, double klPenaltyCoef, int steps, int evalEvery, int saveEvery,
                       Path logDir, long seed, Mode mode, int maxStaleness, boolean removeConstantRewardGroups,
                       double ppoClipLow, double ppoClipHigh, int samplesPerRequest) {

    /** The policy-gradient losses the server provides. */
    public enum Loss {
        IMPORTANCE_SAMPLING, PPO;

        /** The {@code loss_fn} name on the wire. */
        public String wireName() {
            return name().toLowerCase();
        }
    }

    /** How sampling and training are scheduled. */
    public enum Mode {
        /** Sample a batch with the current weights, train on it, repeat. */
        SYNC,
        /** Keep sampling with the newest weights available while training runs, up to {@code maxStaleness} steps ahead. */
        ASYNC
    }

    public RlConfig {
        Objects.requireNonNull(modelName, "modelName");
        Objects.requireNonNull(loss, "loss");
        Objects.requireNonNull(logDir, "logDir");
        Objects.requireNonNull(mode, "mode");
        positive("rank", rank);
        positive("groupsPerBatch", groupsPerBatch);
        positive("groupSize", groupSize);
        positive("maxTokens", maxTokens);
        positive("samplesPerRequest", samplesPerRequest);
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw new IllegalArgumentException("learningRate must be positive, got " + learningRate);
        }
        if (!(temperature >= 0) || !Double.isFinite(temperature)) {
            throw new IllegalArgumentException("temperature must be ≥ 0, got " + temperature);
        }
        if (!(klPenaltyCoef >= 0) || !Double.isFinite(klPenaltyCoef)) {
            throw new IllegalArgumentException("klPenaltyCoef must be ≥ 0, got " + klPenaltyCoef);
        }
        if (!(ppoClipLow > 0 && ppoClipLow <= 1 && ppoClipHigh >= 1) || !Double.isFinite(ppoClipHigh)) {
            throw new IllegalArgumentException("PPO clip bounds must satisfy 0 < ppoClipLow ≤ 1 ≤ ppoClipHigh, got "
                    + ppoClipLow + " and " + ppoClipHigh);
        }
        if (steps < 0 || evalEvery < 0 || saveEvery < 0 || maxStaleness < 0) {
            throw new IllegalArgumentException("steps, evalEvery, saveEvery and maxStaleness must not be negative");
        }
    }

    private static void positive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, got " + value);
        }
    }

    /**
     * Defaults after the Python cookbook's math recipe: rank 32, learning rate 1e-5, 100 groups of 4, 256 tokens,
     * temperature 1, importance sampling, no KL penalty, 20 steps, evaluation and saving every 20 steps, sync,
     * PPO clipping to [0.8, 1.2].
     */
    public static RlConfig defaults(String modelName, Path logDir) {
        return new RlConfig(modelName, 32, 1e-5, 100, 4, 256, 1.0, Loss.IMPORTANCE_SAMPLING, 0.0, 20, 20, 20, logDir, 0L,
                Mode.SYNC, 1, true, 0.8, 1.2, ChunkedSampling.DEFAULT_SAMPLES_PER_REQUEST);
    }

    public RlConfig withSamplesPerRequest(int n) {
        return new RlConfig(modelName, rank, learningRate, groupsPerBatch, groupSize, maxTokens, temperature, loss, klPenaltyCoef,
                steps, evalEvery, saveEvery, logDir, seed, mode, maxStaleness, removeConstantRewardGroups, ppoClipLow,
                ppoClipHigh, n);
    }

    /** The {@code loss_fn_config} sent with forward_backward: PPO's clip bounds, nothing for importance sampling. */
    public Map<String, Double> lossFnConfig() {
        return loss == Loss.PPO ? Map.of("clip_low_threshold", ppoClipLow, "clip_high_threshold", ppoClipHigh) : null;
    }

    /** A copy with {@code key=value} overrides applied (keys are component names). */
    public RlConfig with(Map<String, String> overrides) {
        return ConfigOverrides.apply(this, overrides);
    }

    public RlConfig withRank(int r) {
        return new RlConfig(modelName, r, learningRate, groupsPerBatch, groupSize, maxTokens, temperature, loss, klPenaltyCoef,
                steps, evalEvery, saveEvery, logDir, seed, mode, maxStaleness, removeConstantRewardGroups, ppoClipLow, ppoClipHigh, samplesPerRequest);
    }

    public RlConfig withLearningRate(double lr) {
        return new RlConfig(modelName, rank, lr, groupsPerBatch, groupSize, maxTokens, temperature, loss, klPenaltyCoef,
                steps, evalEvery, saveEvery, logDir, seed, mode, maxStaleness, removeConstantRewardGroups, ppoClipLow, ppoClipHigh, samplesPerRequest);
    }

    public RlConfig withGroups(int groups, int size) {
        return new RlConfig(modelName, rank, learningRate, groups, size, maxTokens, temperature, loss, klPenaltyCoef,
                steps, evalEvery, saveEvery, logDir, seed, mode, maxStaleness, removeConstantRewardGroups, ppoClipLow, ppoClipHigh, samplesPerRequest);
    }

    public RlConfig withMaxTokens(int tokens) {
        return new RlConfig(modelName, rank, learningRate, groupsPerBatch, groupSize, tokens, temperature, loss, klPenaltyCoef,
                steps, evalEvery, saveEvery, logDir, seed, mode, maxStaleness, removeConstantRewardGroups, ppoClipLow, ppoClipHigh, samplesPerRequest);
    }

    public RlConfig withLoss(Loss l) {
        return new RlConfig(modelName, rank, learningRate, groupsPerBatch, groupSize, maxTokens, temperature, l, klPenaltyCoef,
                steps, evalEvery, saveEvery, logDir, seed, mode, maxStaleness, removeConstantRewardGroups, ppoClipLow, ppoClipHigh, samplesPerRequest);
    }

    public RlConfig withKlPenalty(double coef) {
        return new RlConfig(modelName, rank, learningRate, groupsPerBatch, groupSize, maxTokens, temperature, loss, coef,
                steps, evalEvery, saveEvery, logDir, seed, mode, maxStaleness, removeConstantRewardGroups, ppoClipLow, ppoClipHigh, samplesPerRequest);
    }

    public RlConfig withSteps(int n) {
        return new RlConfig(modelName, rank, learningRate, groupsPerBatch, groupSize, maxTokens, temperature, loss, klPenaltyCoef,
                n, evalEvery, saveEvery, logDir, seed, mode, maxStaleness, removeConstantRewardGroups, ppoClipLow, ppoClipHigh, samplesPerRequest);
    }

    public RlConfig withEvalAndSave(int everyEval, int everySave) {
        return new RlConfig(modelName, rank, learningRate, groupsPerBatch, groupSize, maxTokens, temperature, loss, klPenaltyCoef,
                steps, everyEval, everySave, logDir, seed, mode, maxStaleness, removeConstantRewardGroups, ppoClipLow, ppoClipHigh, samplesPerRequest);
    }

    public RlConfig withSeed(long s) {
        return new RlConfig(modelName, rank, learningRate, groupsPerBatch, groupSize, maxTokens, temperature, loss, klPenaltyCoef,
                steps, evalEvery, saveEvery, logDir, s, mode, maxStaleness, removeConstantRewardGroups, ppoClipLow, ppoClipHigh, samplesPerRequest);
    }

    public RlConfig withTemperature(double t) {
        return new RlConfig(modelName, rank, learningRate, groupsPerBatch, groupSize, maxTokens, t, loss, klPenaltyCoef,
                steps, evalEvery, saveEvery, logDir, seed, mode, maxStaleness, removeConstantRewardGroups, ppoClipLow, ppoClipHigh, samplesPerRequest);
    }

    public RlConfig withMode(Mode m, int staleness) {
        return new RlConfig(modelName, rank, learningRate, groupsPerBatch, groupSize, maxTokens, temperature, loss, klPenaltyCoef,
                steps, evalEvery, saveEvery, logDir, seed, m, staleness, removeConstantRewardGroups, ppoClipLow, ppoClipHigh, samplesPerRequest);
    }
}
