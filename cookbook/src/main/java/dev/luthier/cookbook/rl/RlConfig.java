package dev.luthier.cookbook.rl;

import dev.luthier.cookbook.config.ConfigOverrides;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

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
 * @param loss                       {@code importance_sampling}, {@code ppo}, {@code cispo} or {@code dro}
 * @param klPenaltyCoef              weight of the KL penalty against the frozen base model; 0 turns it off
 * @param steps                      training steps
 * @param evalEvery                  evaluate the test set every this many steps (and at the end); 0 never
 * @param saveEvery                  save a checkpoint (state and sampler weights) every this many steps; 0 only the
 *                                   final one. A run started again on the same {@code logDir} resumes from the last one
 * @param logDir                     where {@code metrics.jsonl}, {@code config.json} and {@code checkpoints.jsonl} go
 * @param seed                       seeds the LoRA initialisation, the data order and the sampler
 * @param mode                       {@code sync} (on-policy) or {@code async} (sampling runs ahead of training)
 * @param maxStaleness               async only: groups sampled with weights more than this many steps old are dropped
 * @param removeConstantRewardGroups skip groups whose rewards are all equal (they have no learning signal)
 * @param clipLowThreshold           {@code ppo} and {@code cispo} only: the lower bound of the clipped probability
 *                                   ratio (an absolute ratio, not an epsilon); empty: the loss's default (0.8 for
 *                                   {@code ppo}, 0 for {@code cispo})
 * @param clipHighThreshold          {@code ppo} and {@code cispo} only: the upper bound of the ratio; empty: the
 *                                   loss's default (1.2 for {@code ppo}, 4 for {@code cispo})
 * @param droBeta                    {@code dro} only: the weight β of its quadratic penalty ½β(log p − log q)²;
 *                                   empty: 0.1
 * @param numSubsteps                optimizer steps per training step: the batch's datums are split into this many
 *                                   minibatches, each with its own forward_backward and optim_step (at most one per
 *                                   datum: a batch with fewer datums takes one step per datum)
 * @param samplesPerRequest          most samples asked of the server in one request (a Luthier server decodes at most
 *                                   its sampler slots at once, 16 by default); larger groups are sampled in several requests
 */
public record RlConfig(String modelName, int rank, double learningRate, int groupsPerBatch, int groupSize, int maxTokens,
                       double temperature, Loss loss, double klPenaltyCoef, int steps, int evalEvery, int saveEvery,
                       Path logDir, long seed, Mode mode, int maxStaleness, boolean removeConstantRewardGroups,
                       Optional<Double> clipLowThreshold, Optional<Double> clipHighThreshold, Optional<Double> droBeta,
                       int numSubsteps, int samplesPerRequest) {

    /** The policy-gradient losses the server provides, with the defaults of their {@code loss_fn_config} keys. */
    public enum Loss {
        IMPORTANCE_SAMPLING(Double.NaN, Double.NaN),
        PPO(0.8, 1.2),
        CISPO(0.0, 4.0),
        DRO(Double.NaN, Double.NaN);

        /** β of {@code dro} when none is set (Tinker does not document its default; Luthier's server uses 0.1). */
        public static final double DEFAULT_DRO_BETA = 0.1;

        private final double defaultClipLow;
        private final double defaultClipHigh;

        Loss(double defaultClipLow, double defaultClipHigh) {
            this.defaultClipLow = defaultClipLow;
            this.defaultClipHigh = defaultClipHigh;
        }

        /** The {@code loss_fn} name on the wire. */
        public String wireName() {
            return name().toLowerCase();
        }

        boolean clipped() {
            return this == PPO || this == CISPO;
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
        Objects.requireNonNull(clipLowThreshold, "clipLowThreshold");
        Objects.requireNonNull(clipHighThreshold, "clipHighThreshold");
        Objects.requireNonNull(droBeta, "droBeta");
        positive("rank", rank);
        positive("groupsPerBatch", groupsPerBatch);
        positive("groupSize", groupSize);
        positive("maxTokens", maxTokens);
        positive("numSubsteps", numSubsteps);
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
        checkLossSettings(loss, clipLowThreshold, clipHighThreshold, droBeta);
        if (steps < 0 || evalEvery < 0 || saveEvery < 0 || maxStaleness < 0) {
            throw new IllegalArgumentException("steps, evalEvery, saveEvery and maxStaleness must not be negative");
        }
    }

    private static void positive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, got " + value);
        }
    }

    /** Settings of another loss are refused rather than ignored: {@code loss=dro clipHighThreshold=2} is a mistake. */
    private static void checkLossSettings(Loss loss, Optional<Double> clipLow, Optional<Double> clipHigh,
                                          Optional<Double> beta) {
        if (!loss.clipped() && (clipLow.isPresent() || clipHigh.isPresent())) {
            throw new IllegalArgumentException("clipLowThreshold and clipHighThreshold apply to loss=ppo and loss=cispo, not loss="
                    + loss.wireName());
        }
        if (loss != Loss.DRO && beta.isPresent()) {
            throw new IllegalArgumentException("droBeta applies to loss=dro, not loss=" + loss.wireName());
        }
        if (loss.clipped()) {
            double low = clipLow.orElse(loss.defaultClipLow);
            double high = clipHigh.orElse(loss.defaultClipHigh);
            if (!(low >= 0 && low <= 1 && high >= 1) || !Double.isFinite(high)) {
                throw new IllegalArgumentException("loss=" + loss.wireName() + " needs 0 ≤ clipLowThreshold ≤ 1 ≤ "
                        + "clipHighThreshold (absolute ratio bounds, not epsilons), got " + low + " and " + high);
            }
        }
        if (beta.isPresent() && (!(beta.get() >= 0) || !Double.isFinite(beta.get()))) {
            throw new IllegalArgumentException("droBeta must be a finite number ≥ 0, got " + beta.get());
        }
    }

    /**
     * Defaults after the Python cookbook's math recipe: rank 32, learning rate 1e-5, 100 groups of 4, 256 tokens,
     * temperature 1, importance sampling, no KL penalty, 20 steps, evaluation and saving every 20 steps, sync, one
     * optimizer step per batch.
     */
    public static RlConfig defaults(String modelName, Path logDir) {
        return new RlConfig(modelName, 32, 1e-5, 100, 4, 256, 1.0, Loss.IMPORTANCE_SAMPLING, 0.0, 20, 20, 20, logDir, 0L,
                Mode.SYNC, 1, true, Optional.empty(), Optional.empty(), Optional.empty(), 1,
                ChunkedSampling.DEFAULT_SAMPLES_PER_REQUEST);
    }

    /**
     * The {@code loss_fn_config} sent with forward_backward: every key of the loss with the value set or the loss's
     * default, spelled out so that a server with other defaults computes the same loss; null for importance sampling.
     */
    public Map<String, Double> lossFnConfig() {
        Map<String, Double> out = new LinkedHashMap<>();
        if (loss.clipped()) {
            out.put("clip_low_threshold", clipLowThreshold.orElse(loss.defaultClipLow));
            out.put("clip_high_threshold", clipHighThreshold.orElse(loss.defaultClipHigh));
        } else if (loss == Loss.DRO) {
            out.put("beta", droBeta.orElse(Loss.DEFAULT_DRO_BETA));
        }
        return out.isEmpty() ? null : Map.copyOf(out);
    }

    /** A copy with {@code key=value} overrides applied (keys are component names). */
    public RlConfig with(Map<String, String> overrides) {
        return ConfigOverrides.apply(this, overrides);
    }

    public RlConfig withSamplesPerRequest(int n) {
        return new RlConfig(modelName, rank, learningRate, groupsPerBatch, groupSize, maxTokens, temperature, loss,
                klPenaltyCoef, steps, evalEvery, saveEvery, logDir, seed, mode, maxStaleness,
                removeConstantRewardGroups, clipLowThreshold, clipHighThreshold, droBeta, numSubsteps, n);
    }

    public RlConfig withRank(int r) {
        return new RlConfig(modelName, r, learningRate, groupsPerBatch, groupSize, maxTokens, temperature, loss,
                klPenaltyCoef, steps, evalEvery, saveEvery, logDir, seed, mode, maxStaleness,
                removeConstantRewardGroups, clipLowThreshold, clipHighThreshold, droBeta, numSubsteps,
                samplesPerRequest);
    }

    public RlConfig withLearningRate(double lr) {
        return new RlConfig(modelName, rank, lr, groupsPerBatch, groupSize, maxTokens, temperature, loss,
                klPenaltyCoef, steps, evalEvery, saveEvery, logDir, seed, mode, maxStaleness,
                removeConstantRewardGroups, clipLowThreshold, clipHighThreshold, droBeta, numSubsteps,
                samplesPerRequest);
    }

    public RlConfig withGroups(int groups, int size) {
        return new RlConfig(modelName, rank, learningRate, groups, size, maxTokens, temperature, loss, klPenaltyCoef,
                steps, evalEvery, saveEvery, logDir, seed, mode, maxStaleness, removeConstantRewardGroups,
                clipLowThreshold, clipHighThreshold, droBeta, numSubsteps, samplesPerRequest);
    }

    public RlConfig withMaxTokens(int tokens) {
        return new RlConfig(modelName, rank, learningRate, groupsPerBatch, groupSize, tokens, temperature, loss,
                klPenaltyCoef, steps, evalEvery, saveEvery, logDir, seed, mode, maxStaleness,
                removeConstantRewardGroups, clipLowThreshold, clipHighThreshold, droBeta, numSubsteps,
                samplesPerRequest);
    }

    /** Another loss; clip or β settings must suit it (see {@link #lossFnConfig()}). */
    public RlConfig withLoss(Loss l) {
        return new RlConfig(modelName, rank, learningRate, groupsPerBatch, groupSize, maxTokens, temperature, l,
                klPenaltyCoef, steps, evalEvery, saveEvery, logDir, seed, mode, maxStaleness,
                removeConstantRewardGroups, clipLowThreshold, clipHighThreshold, droBeta, numSubsteps,
                samplesPerRequest);
    }

    public RlConfig withKlPenalty(double coef) {
        return new RlConfig(modelName, rank, learningRate, groupsPerBatch, groupSize, maxTokens, temperature, loss,
                coef, steps, evalEvery, saveEvery, logDir, seed, mode, maxStaleness, removeConstantRewardGroups,
                clipLowThreshold, clipHighThreshold, droBeta, numSubsteps, samplesPerRequest);
    }

    public RlConfig withSteps(int n) {
        return new RlConfig(modelName, rank, learningRate, groupsPerBatch, groupSize, maxTokens, temperature, loss,
                klPenaltyCoef, n, evalEvery, saveEvery, logDir, seed, mode, maxStaleness, removeConstantRewardGroups,
                clipLowThreshold, clipHighThreshold, droBeta, numSubsteps, samplesPerRequest);
    }

    public RlConfig withEvalAndSave(int everyEval, int everySave) {
        return new RlConfig(modelName, rank, learningRate, groupsPerBatch, groupSize, maxTokens, temperature, loss,
                klPenaltyCoef, steps, everyEval, everySave, logDir, seed, mode, maxStaleness,
                removeConstantRewardGroups, clipLowThreshold, clipHighThreshold, droBeta, numSubsteps,
                samplesPerRequest);
    }

    public RlConfig withSeed(long s) {
        return new RlConfig(modelName, rank, learningRate, groupsPerBatch, groupSize, maxTokens, temperature, loss,
                klPenaltyCoef, steps, evalEvery, saveEvery, logDir, s, mode, maxStaleness, removeConstantRewardGroups,
                clipLowThreshold, clipHighThreshold, droBeta, numSubsteps, samplesPerRequest);
    }

    public RlConfig withTemperature(double t) {
        return new RlConfig(modelName, rank, learningRate, groupsPerBatch, groupSize, maxTokens, t, loss,
                klPenaltyCoef, steps, evalEvery, saveEvery, logDir, seed, mode, maxStaleness,
                removeConstantRewardGroups, clipLowThreshold, clipHighThreshold, droBeta, numSubsteps,
                samplesPerRequest);
    }

    public RlConfig withMode(Mode m, int staleness) {
        return new RlConfig(modelName, rank, learningRate, groupsPerBatch, groupSize, maxTokens, temperature, loss,
                klPenaltyCoef, steps, evalEvery, saveEvery, logDir, seed, m, staleness, removeConstantRewardGroups,
                clipLowThreshold, clipHighThreshold, droBeta, numSubsteps, samplesPerRequest);
    }

    public RlConfig withNumSubsteps(int n) {
        return new RlConfig(modelName, rank, learningRate, groupsPerBatch, groupSize, maxTokens, temperature, loss,
                klPenaltyCoef, steps, evalEvery, saveEvery, logDir, seed, mode, maxStaleness,
                removeConstantRewardGroups, clipLowThreshold, clipHighThreshold, droBeta, n, samplesPerRequest);
    }
}
