package dev.luthier.cookbook.dpo;

import dev.luthier.api.input.Datum;
import dev.luthier.api.input.ModelInput;
import dev.luthier.api.tensor.TensorData;
import dev.luthier.cookbook.preferences.PreferencePair;
import dev.luthier.cookbook.renderers.Renderer;
import dev.luthier.cookbook.renderers.SupervisedExample;
import dev.luthier.cookbook.renderers.TrainOn;

import java.util.Arrays;
import java.util.Map;

/**
 * A preference pair rendered for training: both conversations (prompt + reply) as tokens with weight 1 on the
 * reply's tokens only, and as next-token datums (input {@code tokens[:-1]}, targets {@code tokens[1:]}).
 */
public record PairDatums(SupervisedExample chosen, SupervisedExample rejected) {

    /** Renders {@code pair}; the reply is the last assistant message, so only its tokens are weighted. */
    public static PairDatums render(Renderer renderer, PreferencePair pair) {
        return new PairDatums(renderer.buildSupervisedExample(pair.chosenConversation(), TrainOn.LAST_ASSISTANT_MESSAGE),
                renderer.buildSupervisedExample(pair.rejectedConversation(), TrainOn.LAST_ASSISTANT_MESSAGE));
    }

    /** The longer of the two sequences, in tokens. */
    public int maxLength() {
        return Math.max(chosen.length(), rejected.length());
    }

    public Datum chosenDatum() {
        return datum(chosen);
    }

    public Datum rejectedDatum() {
        return datum(rejected);
    }

    /** Next-token datum of an example: the weight of each target is the weight of that token in the example. */
    static Datum datum(SupervisedExample e) {
        int n = e.length() - 1;
        if (n < 1) {
            throw new IllegalArgumentException("a sequence of " + e.length() + " tokens has nothing to predict");
        }
        return new Datum(ModelInput.ofTokens(Arrays.copyOf(e.tokens(), n)),
                Map.of("target_tokens", TensorData.ofInts(Arrays.copyOfRange(e.tokens(), 1, n + 1), n),
                        "weights", TensorData.ofFloats(Arrays.copyOfRange(e.weights(), 1, n + 1), n)));
    }

    /**
     * The weighted sum of a sequence's target log-probabilities from a {@code computeLogprobs} result over the whole
     * sequence (whose entry {@code i} is log p(token_i | tokens_<i) and entry 0 has no value).
     */
    static double referenceSum(SupervisedExample e, float[] promptLogprobs) {
        if (promptLogprobs.length != e.length()) {
            throw new IllegalStateException("the reference returned " + promptLogprobs.length + " logprobs for "
                    + e.length() + " tokens");
        }
        double s = 0;
        for (int i = 1; i < e.length(); i++) {
            if (e.weights()[i] != 0) {
                s += (double) e.weights()[i] * promptLogprobs[i];
            }
        }
        return s;
    }
}
