package dev.luthier.cookbook.rl;

import java.util.List;

/**
 * Makes the environments of one group: {@code groupSize} episodes of the same prompt, whose rewards are compared
 * with each other to form advantages (the cookbook's {@code EnvGroupBuilder}).
 */
public interface EnvGroupBuilder {

    /** {@code groupSize} fresh environments for this group's prompt. */
    List<Env> makeEnvs(int groupSize);

    /**
     * Rewards given to the whole finished group, one per trajectory, added to each trajectory's step rewards (for
     * pairwise comparisons or self-play). None (zeros) by default.
     */
    default double[] groupRewards(List<Trajectory> trajectories) {
        return new double[trajectories.size()];
    }

    /** A short label for logs (e.g. the problem id). */
    default String tag() {
        return "group";
    }
}
