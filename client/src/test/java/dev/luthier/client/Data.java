package dev.luthier.client;

import dev.luthier.api.input.Datum;
import dev.luthier.api.input.ModelInput;
import dev.luthier.api.tensor.TensorData;

import java.util.Arrays;
import java.util.Map;

/** Datums for tests: next-token prediction over a token sequence. */
public final class Data {
    private Data() {
    }

    /** Input {@code tokens[:-1]}, targets {@code tokens[1:]}, weight 1 everywhere. */
    public static Datum sft(int... tokens) {
        int n = tokens.length - 1;
        float[] w = new float[n];
        Arrays.fill(w, 1f);
        return new Datum(ModelInput.ofTokens(Arrays.copyOf(tokens, n)),
                Map.of("target_tokens", TensorData.ofInts(Arrays.copyOfRange(tokens, 1, tokens.length), n),
                        "weights", TensorData.ofFloats(w, n)));
    }

    /** An RL datum: targets {@code tokens[1:]}, sampler logprobs and advantages per target. */
    public static Datum rl(int[] tokens, float logprob, float advantage) {
        int n = tokens.length - 1;
        float[] lp = new float[n];
        float[] adv = new float[n];
        Arrays.fill(lp, logprob);
        Arrays.fill(adv, advantage);
        return new Datum(ModelInput.ofTokens(Arrays.copyOf(tokens, n)),
                Map.of("target_tokens", TensorData.ofInts(Arrays.copyOfRange(tokens, 1, tokens.length), n),
                        "logprobs", TensorData.ofFloats(lp, n), "advantages", TensorData.ofFloats(adv, n)));
    }
}
