package dev.luthier.cookbook.problems;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Synthetic addition problems ({@code What is 37 + 5?}, answer {@code 42}), as the Python cookbook's
 * {@code arithmetic} environment uses to check that an RL setup learns at all.
 */
public final class ArithmeticProblems {
    private ArithmeticProblems() {
    }

    /** {@code count} problems with operands in [0, maxOperand], reproducible from {@code seed}. */
    public static List<Problem> addition(int count, int maxOperand, long seed) {
        if (count < 0 || maxOperand < 0) {
            throw new IllegalArgumentException("count and maxOperand must not be negative");
        }
        Random random = new Random(seed);
        List<Problem> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int a = random.nextInt(maxOperand + 1);
            int b = random.nextInt(maxOperand + 1);
            out.add(new Problem("add-" + seed + "-" + i, "What is " + a + " + " + b + "?", Integer.toString(a + b)));
        }
        return out;
    }
}
