package dev.luthier.cookbook.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded shuffles. {@link Random} is specified down to its bits, so a seed gives the same order on every JVM: a
 * resumed run sees the data in the order the first run would have.
 */
public final class Shuffle {
    private Shuffle() {
    }

    /** A permutation of {@code 0..n-1} (Fisher-Yates). */
    public static int[] permutation(int n, long seed) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        Random random = new Random(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** A shuffled copy of {@code items}. */
    public static <T> List<T> shuffled(List<T> items, long seed) {
        int[] p = permutation(items.size(), seed);
        List<T> out = new ArrayList<>(items.size());
        for (int i : p) {
            out.add(items.get(i));
        }
        return out;
    }
}
