package dev.luthier.cookbook.eval;

/**
 * The unbiased pass@k estimator of Chen et al. (2021): with {@code n} samples of which {@code c} are correct, the
 * probability that at least one of {@code k} samples drawn without replacement is correct,
 * {@code 1 − C(n−c, k)/C(n, k)}.
 */
public final class PassAtK {
    private PassAtK() {
    }

    public static double estimate(int n, int c, int k) {
        if (n < 1 || c < 0 || c > n || k < 1 || k > n) {
            throw new IllegalArgumentException("pass@k needs 1 ≤ k ≤ n and 0 ≤ c ≤ n; got n=" + n + " c=" + c + " k=" + k);
        }
        if (n - c < k) {
            return 1.0;
        }
        // C(n−c, k)/C(n, k) = Π_{i=n−c+1}^{n} (1 − k/i), a product of numbers in (0, 1] that cannot overflow
        double fail = 1.0;
        for (int i = n - c + 1; i <= n; i++) {
            fail *= 1.0 - (double) k / i;
        }
        return 1.0 - fail;
    }
}
