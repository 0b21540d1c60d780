package dev.luthier.cookbook.rl;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The metric names an RL run logs per step in {@code metrics.jsonl}, and the environment summaries. Each line also
 * has {@code env/<name>} for every per-step metric the environments report (for {@link ProblemEnv}:
 * {@code env/correct} and {@code env/format}, fractions in [0, 1]); test-set evaluations add the same keys under
 * {@code test/}.
 */
public final class RlMetrics {
    /** Mean total reward of the step's trajectories. */
    public static final String REWARD_MEAN = "env/reward_mean";
    public static final String CORRECT = "env/correct";
    public static final String FORMAT = "env/format";
    public static final String TURNS_PER_EPISODE = "env/turns_per_episode";
    public static final String ACTION_TOKENS_PER_TURN = "env/ac_tokens_per_turn";
    public static final String OBSERVATION_TOKENS_PER_TURN = "env/ob_tokens_per_turn";
    /** Fraction of the step's groups whose rewards were all equal. */
    public static final String FRAC_CONSTANT_GROUPS = "by_group/frac_constant";
    /** Groups left out of training because their rewards were all equal. */
    public static final String SKIPPED_GROUPS = "by_group/skipped";
    public static final String LOSS = "optim/loss";
    /** Mean of {@code log p_sampler − log p_learner} over action tokens (0 when on-policy). */
    public static final String KL_SAMPLE_TRAIN_V1 = "optim/kl_sample_train_v1";
    /** Half the mean square of that difference. */
    public static final String KL_SAMPLE_TRAIN_V2 = "optim/kl_sample_train_v2";
    /** Monte Carlo entropy estimate: mean of {@code −log p_sampler} over sampled action tokens. */
    public static final String ENTROPY = "optim/entropy";
    public static final String DATUMS = "optim/datums";
    /** Optimizer steps taken in this training step: {@code numSubsteps}, or the datum count when that is smaller. */
    public static final String SUBSTEPS = "optim/substeps";
    /** 1 when the step trained on nothing (every group constant) and took no optimizer step. */
    public static final String STEP_SKIPPED = "optim/skipped";
    /** Mean {@code log p_sampler − log p_ref} on action tokens, when the KL penalty is on. */
    public static final String KL_POLICY_BASE = "kl_policy_base";
    public static final String STALENESS_MEAN = "async/staleness_mean";
    public static final String STALENESS_MAX = "async/staleness_max";
    /** Groups dropped at this step because they were sampled with weights more than max staleness steps old. */
    public static final String DROPPED_GROUPS = "async/dropped_groups";
    public static final String TIME_STEP = "time/step";
    public static final String TIME_SAMPLE = "time/sample";
    public static final String TIME_TRAIN = "time/train";
    public static final String TEST_PREFIX = "test/";

    private RlMetrics() {
    }

    /** Reward, environment metrics and token counts of some groups (keys as above, without prefix). */
    public static Map<String, Double> environment(List<TrajectoryGroup> groups) {
        Map<String, Double> out = new LinkedHashMap<>();
        double rewardSum = 0;
        int trajectories = 0;
        int turns = 0;
        long actionTokens = 0;
        long observationTokens = 0;
        Map<String, double[]> custom = new TreeMap<>();
        int constant = 0;
        for (TrajectoryGroup g : groups) {
            double[] rewards = g.totalRewards();
            if (Advantages.constant(rewards)) {
                constant++;
            }
            for (int i = 0; i < rewards.length; i++) {
                rewardSum += rewards[i];
                trajectories++;
                for (Transition t : g.trajectories().get(i).transitions()) {
                    turns++;
                    actionTokens += t.action().length;
                    observationTokens += t.observation().input().length().orElse(0);
                    t.metrics().forEach((k, v) -> {
                        double[] acc = custom.computeIfAbsent(k, x -> new double[2]);
                        acc[0] += v;
                        acc[1]++;
                    });
                }
            }
        }
        out.put(REWARD_MEAN, trajectories == 0 ? Double.NaN : rewardSum / trajectories);
        custom.forEach((k, acc) -> out.put("env/" + k, acc[0] / acc[1]));
        out.put(TURNS_PER_EPISODE, trajectories == 0 ? Double.NaN : (double) turns / trajectories);
        out.put(ACTION_TOKENS_PER_TURN, turns == 0 ? Double.NaN : (double) actionTokens / turns);
        out.put(OBSERVATION_TOKENS_PER_TURN, turns == 0 ? Double.NaN : (double) observationTokens / turns);
        out.put(FRAC_CONSTANT_GROUPS, groups.isEmpty() ? Double.NaN : (double) constant / groups.size());
        return out;
    }
}
