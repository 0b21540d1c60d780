package dev.luthier.cookbook.eval;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** pass@k against closed forms and exact binomial ratios. */
class PassAtKTest {

    static BigInteger binomial(int n, int k) {
        BigInteger r = BigInteger.ONE;
        for (int i = 0; i < k; i++) {
            r = r.multiply(BigInteger.valueOf(n - i)).divide(BigInteger.valueOf(i + 1));
        }
        return r;
    }

    @Test
    void handComputedValues() {
        assertThat(PassAtK.estimate(5, 2, 2)).isCloseTo(1 - 3.0 / 10, within(1e-12));      // C(3,2)/C(5,2)
        assertThat(PassAtK.estimate(10, 3, 5)).isCloseTo(1 - 21.0 / 252, within(1e-12));   // C(7,5)/C(10,5)
        assertThat(PassAtK.estimate(4, 0, 2)).isZero();
        assertThat(PassAtK.estimate(4, 3, 2)).isEqualTo(1.0);
    }

    @Test
    void passAt1IsTheFractionCorrectAndPassAtNIsAnyCorrect() {
        for (int n = 1; n <= 20; n++) {
            for (int c = 0; c <= n; c++) {
                assertThat(PassAtK.estimate(n, c, 1)).isCloseTo((double) c / n, within(1e-12));
                assertThat(PassAtK.estimate(n, c, n)).isEqualTo(c > 0 ? 1.0 : 0.0);
            }
        }
    }

    @Test
    void matchesExactBinomialRatios() {
        for (int n = 1; n <= 40; n++) {
            for (int c = 0; c <= n; c++) {
                for (int k = 1; k <= n; k++) {
                    double expected = n - c < k ? 1.0
                            : 1 - new java.math.BigDecimal(binomial(n - c, k)).divide(new java.math.BigDecimal(binomial(n, k)),
                            java.math.MathContext.DECIMAL64).doubleValue();
                    assertThat(PassAtK.estimate(n, c, k)).as("n=%d c=%d k=%d", n, c, k).isCloseTo(expected, within(1e-12));
                }
            }
        }
    }

    @Test
    void badArgumentsAreRejected() {
        assertThatThrownBy(() -> PassAtK.estimate(3, 4, 1)).hasMessageContaining("0 ≤ c ≤ n");
        assertThatThrownBy(() -> PassAtK.estimate(3, 1, 4)).hasMessageContaining("1 ≤ k ≤ n");
        assertThatThrownBy(() -> new EvalConfig(4, List.of(8), 16, 1.0, false, 0)).hasMessageContaining("pass@8");
    }

    @Test
    void reportsAverageOverProblems() {
        ProblemResult a = new ProblemResult("a", "1", 4, 2, 4, List.of(), true, "1");
        ProblemResult b = new ProblemResult("b", "2", 4, 0, 1, List.of(), false, "3");
        EvalReport r = EvalReport.of(List.of(a, b), List.of(1, 2));
        assertThat(r.passAtK().get(1)).isCloseTo((0.5 + 0) / 2, within(1e-12));
        assertThat(r.passAtK().get(2)).isCloseTo((1 - 1.0 / 6 + 0) / 2, within(1e-12));  // C(2,2)/C(4,2) = 1/6
        assertThat(r.sampleAccuracy()).isEqualTo(2.0 / 8);
        assertThat(r.formatRate()).isEqualTo(5.0 / 8);
        assertThat(r.greedyAccuracy()).isEqualTo(0.5);
    }
}
