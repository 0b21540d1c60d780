package dev.luthier.cookbook.distill;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ReverseKlAdvantagesTest {

    @Test
    void withoutDiscountEachTokenPaysItsOwnLogRatio() {
        float[] a = ReverseKlAdvantages.compute(new float[]{-1f, -0.5f, -2f}, new float[]{-3f, -0.5f, -1f}, 1.0, 0.0);
        // s - q = 2, 0, -1
        assertThat(a).containsExactly(-2f, 0f, 1f);
        float[] scaled = ReverseKlAdvantages.compute(new float[]{-1f}, new float[]{-3f}, 0.25, 0.0);
        assertThat(scaled).containsExactly(-0.5f);
    }

    @Test
    void discountSumsTheLogRatiosThatFollow() {
        // s - q = 2, 0, -1 with γ = 0.5: A_2 = 1; A_1 = -(0 + 0.5·-1) = 0.5; A_0 = -(2 + 0.5·0 + 0.25·-1) = -1.75
        float[] a = ReverseKlAdvantages.compute(new float[]{-1f, -0.5f, -2f}, new float[]{-3f, -0.5f, -1f}, 1.0, 0.5);
        assertThat((double) a[0]).isCloseTo(-1.75, within(1e-6));
        assertThat((double) a[1]).isCloseTo(0.5, within(1e-6));
        assertThat((double) a[2]).isCloseTo(1.0, within(1e-6));
    }

    @Test
    void rejectsMismatchedAndNonFiniteInput() {
        assertThatThrownBy(() -> ReverseKlAdvantages.compute(new float[2], new float[3], 1, 0)).hasMessageContaining("2 student");
        assertThatThrownBy(() -> ReverseKlAdvantages.compute(new float[]{Float.NEGATIVE_INFINITY}, new float[]{0f}, 1, 0))
                .hasMessageContaining("non-finite");
    }

    @Test
    void datumPutsAdvantagesAndSamplerLogprobsOnTheCompletionTargetsOnly() {
        var c = new OnPolicyDistillation.ScoredCompletion(new int[]{10, 11, 12}, new int[]{20, 21},
                new float[]{-0.1f, -0.2f}, new float[]{-1f, -2f});
        var d = OnPolicyDistillation.datum(c, new float[]{0.9f, 1.8f});
        assertThat(d.modelInput().tokens()).containsExactly(10, 11, 12, 20);
        assertThat(d.lossFnInputs().get("target_tokens").toInts()).containsExactly(11, 12, 20, 21);
        assertThat(d.lossFnInputs().get("advantages").toFloats()).containsExactly(0f, 0f, 0.9f, 1.8f);
        assertThat(d.lossFnInputs().get("logprobs").toFloats()).containsExactly(0f, 0f, -0.1f, -0.2f);
    }
}
