package dev.luthier.cookbook.rl;

import dev.luthier.api.input.Datum;
import dev.luthier.api.input.ModelInput;
import dev.luthier.api.tensor.TensorData;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A token sequence to train on, position by position: the token, the sampler's log-probability of it, its
 * advantage, and whether the policy sampled it (an action token) or it came from the environment (observation
 * tokens have log-probability 0 and advantage 0). Position 0 is never a target.
 */
public record TrainingSequence(int[] tokens, float[] logprobs, float[] advantages, boolean[] action) {
    public TrainingSequence {
        int n = tokens.length;
        if (logprobs.length != n || advantages.length != n || action.length != n) {
            throw new IllegalArgumentException("every per-token array must have " + n + " entries");
        }
        if (n < 2) {
            throw new IllegalArgumentException("a training sequence needs at least 2 tokens, got " + n);
        }
    }

    /** The number of action tokens. */
    public int actionCount() {
        int c = 0;
        for (boolean a : action) {
            if (a) {
                c++;
            }
        }
        return c;
    }

    /** This sequence with other advantages. */
    public TrainingSequence withAdvantages(float[] newAdvantages) {
        return new TrainingSequence(tokens, logprobs, newAdvantages, action);
    }

    /**
     * The datum for {@code importance_sampling} and {@code ppo}: the model reads tokens {@code 0..n−2} and predicts
     * tokens {@code 1..n−1}; {@code target_tokens}, {@code logprobs} and {@code advantages} are shifted by one.
     */
    public Datum toDatum() {
        int n = tokens.length;
        Map<String, TensorData> inputs = new LinkedHashMap<>();
        inputs.put("target_tokens", TensorData.ofInts(Arrays.copyOfRange(tokens, 1, n)));
        inputs.put("logprobs", TensorData.ofFloats(Arrays.copyOfRange(logprobs, 1, n)));
        inputs.put("advantages", TensorData.ofFloats(Arrays.copyOfRange(advantages, 1, n)));
        return new Datum(ModelInput.ofTokens(Arrays.copyOf(tokens, n - 1)), inputs);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrainingSequence s && Arrays.equals(tokens, s.tokens) && Arrays.equals(logprobs, s.logprobs)
                && Arrays.equals(advantages, s.advantages) && Arrays.equals(action, s.action);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(tokens) * 31 + Arrays.hashCode(advantages);
    }

    @Override
    public String toString() {
        return "TrainingSequence[tokens=" + Arrays.toString(tokens) + ", logprobs=" + Arrays.toString(logprobs)
                + ", advantages=" + Arrays.toString(advantages) + ", action=" + Arrays.toString(action) + "]";
    }
}
