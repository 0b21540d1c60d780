package dev.luthier.cookbook.arithmetic;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * Splits word problems into training and held-out ones by a checksum of the question's text, so the split is the
 * same in every run and for every seed: a held-out question never appears in training data (pretraining, SFT or
 * RL), whichever seeds draw them. About {@value #HELD_OUT_PERCENT}% of questions are held out. Arithmetic facts
 * (7 + 5 = 12) are shared: held-out problems are new questions, not new sums.
 */
public final class ProblemSplit {
    public static final int HELD_OUT_PERCENT = 10;
    private static final int MAX_DRAWS_PER_PROBLEM = 1000;

    private ProblemSplit() {
    }

    public static boolean isHeldOut(WordProblem problem) {
        CRC32 crc = new CRC32();
        crc.update(problem.question().getBytes(StandardCharsets.UTF_8));
        return crc.getValue() % 100 < HELD_OUT_PERCENT;
    }

    /** {@code count} distinct training problems from the generator seeded with {@code seed}. */
    public static List<WordProblem> train(int count, long seed) {
        return draw(count, seed, false);
    }

    /** {@code count} distinct held-out problems from the generator seeded with {@code seed}. */
    public static List<WordProblem> heldOut(int count, long seed) {
        return draw(count, seed, true);
    }

    private static List<WordProblem> draw(int count, long seed, boolean heldOut) {
        if (count < 0) {
            throw new IllegalArgumentException("count must be >= 0, got " + count);
        }
        WordProblemGenerator generator = new WordProblemGenerator(seed);
        Set<String> seen = new LinkedHashSet<>();
        List<WordProblem> out = new ArrayList<>(count);
        long draws = 0;
        while (out.size() < count) {
            if (++draws > (long) MAX_DRAWS_PER_PROBLEM * (count + 1)) {
                throw new IllegalStateException("cannot draw " + count + " distinct problems; got " + out.size());
            }
            WordProblem p = generator.next();
            if (isHeldOut(p) == heldOut && seen.add(p.question())) {
                out.add(p);
            }
        }
        return out;
    }
}
