package dev.luthier.cookbook.rl;

import dev.luthier.api.input.ModelInput;
import dev.luthier.api.sampling.StopReason;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Environments a tiny random model can learn in a few steps: the reward is the fraction of sampled tokens whose id
 * is below {@link #TARGET_BELOW} (a quarter of the 128-token vocabulary). The multi-turn variant asks twice, the
 * second prompt being the whole conversation so far plus one separator token.
 */
final class TokenTargetEnvs {
    static final int TARGET_BELOW = 32;
    static final int SEPARATOR = 7;
    static final int[] PROMPT = {1, 2, 3};

    private TokenTargetEnvs() {
    }

    static double hitFraction(int[] tokens) {
        if (tokens.length == 0) {
            return 0;
        }
        return (double) Arrays.stream(tokens).filter(t -> t < TARGET_BELOW).count() / tokens.length;
    }

    /** One turn: reward = fraction of target tokens in the action; metric {@code hit} the same. */
    static final class SingleTurn implements Env {
        @Override
        public Observation initialObservation() {
            return new Observation(ModelInput.ofTokens(PROMPT), null);
        }

        @Override
        public StepResult step(int[] action, StopReason stopReason) {
            double hit = hitFraction(action);
            return StepResult.done(hit, Map.of("hit", hit));
        }
    }

    /** Two turns; each turn's reward is half its hit fraction. */
    static final class TwoTurns implements Env {
        int turn;

        @Override
        public Observation initialObservation() {
            return new Observation(ModelInput.ofTokens(PROMPT), null);
        }

        @Override
        public StepResult step(int[] action, StopReason stopReason) {
            double reward = hitFraction(action) / 2;
            if (turn++ == 0) {
                int[] next = new int[PROMPT.length + action.length + 1];
                System.arraycopy(PROMPT, 0, next, 0, PROMPT.length);
                System.arraycopy(action, 0, next, PROMPT.length, action.length);
                next[next.length - 1] = SEPARATOR;
                return new StepResult(reward, false, new Observation(ModelInput.ofTokens(next), null), Map.of());
            }
            return StepResult.done(reward, Map.of());
        }
    }

    static RlDataset dataset(boolean twoTurns) {
        return index -> new EnvGroupBuilder() {
            @Override
            public List<Env> makeEnvs(int groupSize) {
                List<Env> envs = new ArrayList<>();
                for (int i = 0; i < groupSize; i++) {
                    envs.add(twoTurns ? new TwoTurns() : new SingleTurn());
                }
                return envs;
            }
        };
    }
}
