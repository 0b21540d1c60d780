package dev.luthier.cookbook.rl;

/**
 * Group-relative advantages as the Python cookbook computes them: each trajectory's total reward minus its group's
 * mean, with no division by the standard deviation.
 */
public final class Advantages {
    private Advantages() {
    }

    /** {@code rewards[i] − mean(rewards)}. */
    public static double[] centered(double[] rewards) {
        if (rewards.length == 0) {
            return new double[0];
        }
        double mean = 0;
        for (double r : rewards) {
            mean += r;
        }
        mean /= rewards.length;
        double[] out = new double[rewards.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = rewards[i] - mean;
        }
        return out;
    }

    /** True when every reward equals the first (so every advantage is 0 and the group teaches nothing). */
    public static boolean constant(double[] rewards) {
        for (double r : rewards) {
            if (r != rewards[0]) {
                return false;
            }
        }
        return true;
    }
}
