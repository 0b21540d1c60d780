package dev.luthier.cookbook.data;

import java.util.List;

/**
 * A data set split into training and held-out parts: the items are shuffled by {@code seed} and the first
 * {@code testSize} go to the test part, so the split is the same whenever the seed and data are.
 */
public record HeldOutSplit<T>(List<T> train, List<T> test) {

    public HeldOutSplit {
        train = List.copyOf(train);
        test = List.copyOf(test);
    }

    public static <T> HeldOutSplit<T> of(List<T> items, int testSize, long seed) {
        if (testSize < 0 || testSize >= items.size()) {
            throw new IllegalArgumentException("cannot hold out " + testSize + " of " + items.size()
                    + " items: at least one must remain for training");
        }
        List<T> shuffled = Shuffle.shuffled(items, seed);
        return new HeldOutSplit<>(shuffled.subList(testSize, shuffled.size()), shuffled.subList(0, testSize));
    }

    /** Holds out {@code fraction} of the items (rounded down). */
    public static <T> HeldOutSplit<T> ofFraction(List<T> items, double fraction, long seed) {
        if (!(fraction >= 0 && fraction < 1)) {
            throw new IllegalArgumentException("held-out fraction must be in [0, 1), got " + fraction);
        }
        return of(items, (int) Math.floor(items.size() * fraction), seed);
    }
}
