package dev.luthier.cookbook.sft;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class LearningRateScheduleTest {

    @Test
    void constant() {
        var s = LearningRateSchedule.create(ScheduleKind.CONSTANT, 2e-4, 0, 10);
        for (int step = 0; step < 10; step++) {
            assertThat(s.learningRate(step)).isEqualTo(2e-4);
        }
    }

    @Test
    void linearDecayMatchesTheClosedForm() {
        var s = LearningRateSchedule.create(ScheduleKind.LINEAR, 1e-3, 0, 10);
        assertThat(s.learningRate(0)).isEqualTo(1e-3);
        assertThat(s.learningRate(5)).isCloseTo(0.5e-3, within(1e-15));
        assertThat(s.learningRate(9)).isCloseTo(0.1e-3, within(1e-15));
        assertThat(s.learningRate(10)).isZero();
        assertThat(s.learningRate(50)).isZero();
    }

    @Test
    void cosineMatchesTheClosedForm() {
        var s = LearningRateSchedule.create(ScheduleKind.COSINE, 1.0, 0, 8);
        assertThat(s.learningRate(0)).isEqualTo(1.0);
        assertThat(s.learningRate(2)).isCloseTo((1 + Math.sqrt(0.5)) / 2, within(1e-12)); // cos(pi/4)
        assertThat(s.learningRate(4)).isCloseTo(0.5, within(1e-12));
        assertThat(s.learningRate(6)).isCloseTo((1 - Math.sqrt(0.5)) / 2, within(1e-12));
        assertThat(s.learningRate(8)).isCloseTo(0.0, within(1e-15));
    }

    @Test
    void warmupRisesLinearlyToThePeakThenDecaysOverTheRest() {
        // 4 warm-up steps then cosine over the remaining 8 of 12
        var s = LearningRateSchedule.create(ScheduleKind.COSINE, 1.0, 4, 12);
        assertThat(s.learningRate(0)).isCloseTo(0.25, within(1e-15));
        assertThat(s.learningRate(1)).isCloseTo(0.5, within(1e-15));
        assertThat(s.learningRate(3)).isCloseTo(1.0, within(1e-15));
        assertThat(s.learningRate(4)).isCloseTo(1.0, within(1e-15));
        assertThat(s.learningRate(8)).isCloseTo(0.5, within(1e-12));
        var lin = LearningRateSchedule.create(ScheduleKind.LINEAR, 1.0, 2, 6);
        assertThat(lin.learningRate(0)).isCloseTo(0.5, within(1e-15));
        assertThat(lin.learningRate(2)).isCloseTo(1.0, within(1e-15));
        assertThat(lin.learningRate(3)).isCloseTo(0.75, within(1e-15));
        assertThat(lin.learningRate(5)).isCloseTo(0.25, within(1e-15));
    }

    @Test
    void badRatesAreRefused() {
        assertThatThrownBy(() -> LearningRateSchedule.create(ScheduleKind.CONSTANT, 0, 0, 1)).hasMessageContaining("positive");
        assertThatThrownBy(() -> new LinearWarmup(1, 0, new ConstantSchedule(1))).hasMessageContaining("warm-up");
    }
}
