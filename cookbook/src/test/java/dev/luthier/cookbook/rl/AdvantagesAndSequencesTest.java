package dev.luthier.cookbook.rl;

import dev.luthier.api.input.Datum;
import dev.luthier.api.input.ModelInput;
import dev.luthier.api.sampling.StopReason;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Advantages, trajectory → datum conversion and the KL fold against hand-computed values. */
class AdvantagesAndSequencesTest {

    static Transition turn(int[] ob, int[] action, float[] lp, double reward, boolean done) {
        return new Transition(new Observation(ModelInput.ofTokens(ob), null), action, lp, reward, done, Map.of());
    }

    @Test
    void advantagesAreRewardMinusGroupMeanWithoutScaling() {
        assertThat(Advantages.centered(new double[] {1, 0, 0, 1})).containsExactly(0.5, -0.5, -0.5, 0.5);
        assertThat(Advantages.centered(new double[] {3, 1})).containsExactly(1.0, -1.0);
        // mean 1.1/3; no division by the standard deviation
        assertThat(Advantages.centered(new double[] {1, 0.1, 0})).containsExactly(new double[] {
                1 - 1.1 / 3, 0.1 - 1.1 / 3, -1.1 / 3}, within(1e-12));
        assertThat(Advantages.constant(new double[] {0.9, 0.9, 0.9})).isTrue();
        assertThat(Advantages.constant(new double[] {0.9, 0.9, 1})).isFalse();
    }

    @Test
    void groupRewardsAddToStepRewards() {
        Trajectory a = new Trajectory(List.of(turn(new int[] {1}, new int[] {2}, new float[] {-1}, 0.25, true)));
        Trajectory b = new Trajectory(List.of(turn(new int[] {1}, new int[] {3}, new float[] {-1}, 0.5, false),
                turn(new int[] {1, 3}, new int[] {4}, new float[] {-1}, 0.5, true)));
        TrajectoryGroup g = new TrajectoryGroup(List.of(a, b), new double[] {1, -1}, "t", 0);
        assertThat(g.totalRewards()).containsExactly(1.25, 0.0);
    }

    @Test
    void aSingleTurnBecomesOneShiftedDatum() {
        Trajectory t = new Trajectory(List.of(turn(new int[] {1, 2, 3}, new int[] {4, 5}, new float[] {-0.1f, -0.2f}, 1, true)));
        List<TrainingSequence> seqs = TrajectorySequences.of(t, 0.5);
        assertThat(seqs).hasSize(1);
        Datum d = seqs.getFirst().toDatum();
        assertThat(d.modelInput().tokens()).containsExactly(1, 2, 3, 4);
        assertThat(d.lossFnInputs().get("target_tokens").longs()).containsExactly(2, 3, 4, 5);
        assertThat(d.lossFnInputs().get("logprobs").floats()).containsExactly(0f, 0f, -0.1f, -0.2f);
        assertThat(d.lossFnInputs().get("advantages").floats()).containsExactly(0f, 0f, 0.5f, 0.5f);
        assertThat(d.lossFnInputs().keySet()).containsExactly("target_tokens", "logprobs", "advantages");
        assertThat(d.shapeProblem()).isEmpty();
    }

    @Test
    void turnsWhoseObservationExtendsThePastMergeIntoOneSequence() {
        Trajectory t = new Trajectory(List.of(
                turn(new int[] {1, 2}, new int[] {3}, new float[] {-0.3f}, 0, false),
                turn(new int[] {1, 2, 3, 7, 8}, new int[] {9, 10}, new float[] {-0.9f, -1.0f}, 1, true)));
        List<TrainingSequence> seqs = TrajectorySequences.of(t, -0.25);
        assertThat(seqs).hasSize(1);
        TrainingSequence s = seqs.getFirst();
        assertThat(s.tokens()).containsExactly(1, 2, 3, 7, 8, 9, 10);
        assertThat(s.action()).containsExactly(false, false, true, false, false, true, true);
        assertThat(s.logprobs()).containsExactly(0f, 0f, -0.3f, 0f, 0f, -0.9f, -1.0f);
        assertThat(s.advantages()).containsExactly(0f, 0f, -0.25f, 0f, 0f, -0.25f, -0.25f);
    }

    @Test
    void anObservationThatDoesNotExtendThePastStartsANewSequence() {
        Trajectory t = new Trajectory(List.of(
                turn(new int[] {1, 2}, new int[] {3}, new float[] {-0.3f}, 0, false),
                turn(new int[] {5, 6}, new int[] {7}, new float[] {-0.7f}, 1, true)));
        List<TrainingSequence> seqs = TrajectorySequences.of(t, 1);
        assertThat(seqs).hasSize(2);
        assertThat(seqs.get(0).tokens()).containsExactly(1, 2, 3);
        assertThat(seqs.get(1).tokens()).containsExactly(5, 6, 7);
        assertThat(seqs.get(1).advantages()).containsExactly(0f, 0f, 1f);
    }

    /**
     * Two sequences: diffs log p_sampler − log p_ref on the action tokens are 0.5, −1 and −0.3, mean −0.8/3; with
     * coefficient 0.1 each action advantage gains 0.1·(mean − diff).
     */
    @Test
    void klPenaltyFoldsIntoTheAdvantages() {
        TrainingSequence a = new TrainingSequence(new int[] {1, 2, 3}, new float[] {0, -1, -2}, new float[] {0, 1, 1},
                new boolean[] {false, true, true});
        TrainingSequence b = new TrainingSequence(new int[] {4, 5}, new float[] {0, -0.5f}, new float[] {0, -1},
                new boolean[] {false, true});
        KlPenalty.Folded f = KlPenalty.fold(List.of(a, b),
                List.of(new float[] {Float.NaN, -1.5f, -1f}, new float[] {Float.NaN, -0.2f}), 0.1);
        double mean = -0.8 / 3;
        assertThat(f.meanLogRatio()).isCloseTo(mean, within(1e-6));
        float[] aAdv = f.sequences().get(0).advantages();
        float[] bAdv = f.sequences().get(1).advantages();
        assertThat((double) aAdv[0]).isZero();
        assertThat((double) aAdv[1]).isCloseTo(1 + 0.1 * (mean - 0.5), within(1e-6));   // 0.923333
        assertThat((double) aAdv[2]).isCloseTo(1 + 0.1 * (mean + 1.0), within(1e-6));   // 1.073333
        assertThat((double) bAdv[1]).isCloseTo(-1 + 0.1 * (mean + 0.3), within(1e-6));  // -0.996667
        assertThat((double) aAdv[1]).isCloseTo(0.9233333, within(1e-6));
        // the penalty only redistributes advantage: its sum over action tokens is 0
        assertThat((double) (aAdv[1] - 1 + aAdv[2] - 1 + bAdv[1] + 1)).isCloseTo(0.0, within(1e-6));
    }

    @Test
    void klPenaltyNeedsAReferenceForEveryActionToken() {
        TrainingSequence a = new TrainingSequence(new int[] {1, 2}, new float[] {0, -1}, new float[] {0, 1},
                new boolean[] {false, true});
        assertThatThrownBy(() -> KlPenalty.fold(List.of(a), List.of(new float[] {Float.NaN, Float.NaN}), 0.1))
                .hasMessageContaining("no reference log-probability");
        assertThatThrownBy(() -> KlPenalty.fold(List.of(a), List.of(new float[] {0}), 0.1))
                .hasMessageContaining("1 entries for 2 tokens");
    }

    @Test
    void stepResultsAreChecked() {
        assertThatThrownBy(() -> new StepResult(Double.NaN, true, null, null)).hasMessageContaining("finite");
        assertThatThrownBy(() -> new StepResult(1, false, null, null)).hasMessageContaining("next observation");
        assertThatThrownBy(() -> new Transition(new Observation(ModelInput.ofTokens(1), null), new int[] {1, 2},
                new float[] {0}, 0, true, null)).hasMessageContaining("1 logprobs for 2 action tokens");
        assertThat(StopReason.STOP).isNotNull();
    }
}
