package dev.luthier.cli.demo;

import dev.luthier.cli.basemodel.BaseModelSpec;

/**
 * The sizes of a demo run. SFT is kept short on purpose: a few dozen steps teach the chat format (answer, then end
 * the turn) to part of the held-out problems, and RL on the answers' correctness takes it from there (measured with
 * a 600-step default base model: 0 % → 77 % → 95.5 %; with sixty SFT steps SFT alone reached 96 % and RL had
 * nothing left to do). Where SFT stops is sensitive: on the quick base model twenty steps taught the format to 9 % of the
 * problems in one build and 54 % in another, so the quick settings take thirty.
 * <p>
 * The quick base model is weaker (one build: 67 % in its own format) and worse calibrated: after SFT, sampled at
 * temperature 1, it puts a few percent on stray tokens after the answer, so many sampled replies run on to
 * {@code maxTokens} (sampled correctness about 40 % where greedy accuracy was 75 %), and RL's reward barely rose.
 * With 30 steps of 16 groups of 4 at temperature 1 (the earlier quick settings) RL lowered greedy accuracy in four
 * runs of six on two base builds (71 → 72, 74 → 71, 81 → 69 %; 86 → 92, 88 → 83, 91 → 85 %), and neither a lower
 * learning rate (2e-4: 71 → 76, 74 → 70, 81 → 78) nor 8 groups of 8 (71 → 75, 74 → 56, 81 → 67) helped; after only
 * 20 SFT steps RL taught the replies to run on (46 → 6 %). Sampling RL at temperature 0.5 keeps replies near the
 * greedy ones, so the groups whose rewards differ are the problems greedy decoding is unsure of; with groups of 8
 * and 60 steps the sampled correctness rises (0.60 → 0.68, 0.65 → 0.73 from the first six steps to the last six)
 * and greedy accuracy rose in thirteen runs of fourteen on six base builds (seeds 7 to 11; +2 to +19 points,
 * mean +6.5; the fourteenth went 88 → 85 %). Thirty such steps were too few (81 → 79, 74 → 78, 71 → 78), and temperature
 * 0.3 left too few groups with a signal (81 → 68, 74 → 71).
 *
 * @param evalProblems     held-out problems the accuracies are measured on (the same ones before and after)
 * @param sftSteps         supervised steps of {@code sftBatch} training conversations each
 * @param rlSteps          RL steps of {@code rlGroups} training problems answered {@code rlGroupSize} times each
 * @param rlTemperature    temperature RL samples at (the reported log-probabilities stay those of the policy)
 * @param maxTokens        most tokens sampled per answer
 */
public record DemoSettings(BaseModelSpec base, int evalProblems, int rank, int sftSteps, int sftBatch,
                           double sftLearningRate, int rlSteps, int rlGroups, int rlGroupSize, double rlLearningRate,
                           double rlTemperature, int maxTokens, long seed) {

    public DemoSettings {
        if (evalProblems < 1 || rank < 1 || sftSteps < 1 || sftBatch < 1 || rlSteps < 0 || rlGroups < 1
                || rlGroupSize < 2 || maxTokens < 1 || !(rlTemperature > 0) || !Double.isFinite(rlTemperature)) {
            throw new IllegalArgumentException("demo sizes and the RL temperature must be positive (RL groups of at least 2): "
                    + this);
        }
    }

    /** {@code luthier demo}. */
    public static DemoSettings standard() {
        return new DemoSettings(BaseModelSpec.standard(), 200, 16, 20, 32, 3e-3, 60, 16, 4, 5e-4, 1.0, 24, 7);
    }

    /**
     * {@code luthier demo --quick} and the test: a smaller base model and shorter runs; RL samples groups of 8 at
     * temperature 0.5 for 60 steps (see the class comment for what was measured).
     */
    public static DemoSettings quick() {
        BaseModelSpec s = BaseModelSpec.standard();
        BaseModelSpec base = new BaseModelSpec("luthier-arithmetic-quick", 96, 3, 4, 288, s.bpeMerges(), 400, 32,
                5e-3, 20, s.seed());
        return new DemoSettings(base, 100, 16, 30, 32, 3e-3, 60, 16, 8, 5e-4, 0.5, 24, 7);
    }
}
