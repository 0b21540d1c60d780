package dev.luthier.cli.demo;

import dev.luthier.cli.basemodel.BaseModelSpec;

/**
 * The sizes of a demo run. SFT is kept short on purpose: a few dozen steps teach the chat format (answer, then end
 * the turn) to part of the held-out problems, and RL on the answers' correctness takes it from there (measured with
 * a 600-step default base model: 0 % → 77 % → 95.5 %; with sixty SFT steps SFT alone reached 96 % and RL had
 * nothing left to do). Where SFT stops is sensitive: on the quick base model twenty steps taught the format to 9 % of the
 * problems in one build and 54 % in another, so the quick settings take thirty.
 *
 * @param evalProblems     held-out problems the accuracies are measured on (the same ones before and after)
 * @param sftSteps         supervised steps of {@code sftBatch} training conversations each
 * @param rlSteps          RL steps of {@code rlGroups} training problems answered {@code rlGroupSize} times each
 * @param maxTokens        most tokens sampled per answer
 */
public record DemoSettings(BaseModelSpec base, int evalProblems, int rank, int sftSteps, int sftBatch,
                           double sftLearningRate, int rlSteps, int rlGroups, int rlGroupSize, double rlLearningRate,
                           int maxTokens, long seed) {

    public DemoSettings {
        if (evalProblems < 1 || rank < 1 || sftSteps < 1 || sftBatch < 1 || rlSteps < 0 || rlGroups < 1
                || rlGroupSize < 2 || maxTokens < 1) {
            throw new IllegalArgumentException("demo sizes must be positive (RL groups of at least 2): " + this);
        }
    }

    /** {@code luthier demo}. */
    public static DemoSettings standard() {
        return new DemoSettings(BaseModelSpec.standard(), 200, 16, 20, 32, 3e-3, 60, 16, 4, 5e-4, 24, 7);
    }

    /** {@code luthier demo --quick} and the test: a smaller base model and shorter runs. */
    public static DemoSettings quick() {
        BaseModelSpec s = BaseModelSpec.standard();
        BaseModelSpec base = new BaseModelSpec("luthier-arithmetic-quick", 96, 3, 4, 288, s.bpeMerges(), 400, 32,
                5e-3, 20, s.seed());
        return new DemoSettings(base, 100, 16, 30, 32, 3e-3, 30, 16, 4, 5e-4, 24, 7);
    }
}
