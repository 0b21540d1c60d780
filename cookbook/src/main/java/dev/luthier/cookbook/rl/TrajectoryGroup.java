package dev.luthier.cookbook.rl;

import java.util.List;

/**
 * The finished episodes of one group, the group-level rewards added to them, and the version of the sampler
 * weights they were sampled with (the number of optimizer steps those weights had seen).
 */
public record TrajectoryGroup(List<Trajectory> trajectories, double[] groupRewards, String tag, int samplerVersion) {
    public TrajectoryGroup {
        trajectories = List.copyOf(trajectories);
        if (groupRewards.length != trajectories.size()) {
            throw new IllegalArgumentException(groupRewards.length + " group rewards for " + trajectories.size()
                    + " trajectories");
        }
        groupRewards = groupRewards.clone();
    }

    /** Each trajectory's total reward: its step rewards plus its group reward. */
    public double[] totalRewards() {
        double[] out = new double[trajectories.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = trajectories.get(i).stepRewardSum() + groupRewards[i];
        }
        return out;
    }
}
