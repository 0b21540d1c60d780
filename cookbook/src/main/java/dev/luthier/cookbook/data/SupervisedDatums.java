package dev.luthier.cookbook.data;

import dev.luthier.api.input.Datum;
import dev.luthier.api.input.ModelInput;
import dev.luthier.api.tensor.TensorData;
import dev.luthier.cookbook.renderers.Renderer;
import dev.luthier.cookbook.renderers.SupervisedExample;
import dev.luthier.cookbook.renderers.TrainOn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Supervised datums for the {@code cross_entropy} loss: a conversation is rendered to tokens with per-token weights,
 * cut to at most {@code maxLength} tokens, and shifted by one (the model reads {@code tokens[:-1]} and is scored on
 * {@code tokens[1:]} with {@code weights[1:]}), as the cookbook's {@code datum_from_model_input_weights}.
 */
public final class SupervisedDatums {
    private SupervisedDatums() {
    }

    /** {@code conversation} rendered by {@code renderer}, weighted by {@code trainOn}, at most {@code maxLength} tokens. */
    public static Datum build(Conversation conversation, Renderer renderer, TrainOn trainOn, int maxLength) {
        SupervisedExample example;
        try {
            example = renderer.buildSupervisedExample(conversation.messages(), trainOn);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException((conversation.source() == null ? "" : conversation.source() + ": ")
                    + e.getMessage(), e);
        }
        return fromExample(example, maxLength);
    }

    /** Every conversation as a datum, in order. */
    public static List<Datum> buildAll(List<Conversation> conversations, Renderer renderer, TrainOn trainOn, int maxLength) {
        List<Datum> out = new ArrayList<>(conversations.size());
        for (Conversation c : conversations) {
            out.add(build(c, renderer, trainOn, maxLength));
        }
        return out;
    }

    /** The datum of an example: the first {@code maxLength} tokens, shifted into inputs and weighted targets. */
    public static Datum fromExample(SupervisedExample example, int maxLength) {
        if (maxLength < 2) {
            throw new IllegalArgumentException("max length must be at least 2 tokens, got " + maxLength);
        }
        int n = Math.min(example.length(), maxLength);
        if (n < 2) {
            throw new IllegalArgumentException("an example of " + example.length() + " token(s) has nothing to predict");
        }
        int[] tokens = example.tokens();
        int[] input = Arrays.copyOf(tokens, n - 1);
        int[] targets = Arrays.copyOfRange(tokens, 1, n);
        float[] weights = Arrays.copyOfRange(example.weights(), 1, n);
        return new Datum(ModelInput.ofTokens(input), Map.of(
                "target_tokens", TensorData.ofInts(targets, targets.length),
                "weights", TensorData.ofFloats(weights, weights.length)));
    }

    /** The sum of a datum's loss weights (the number of trained tokens when weights are 0/1). */
    public static double weightSum(Datum datum) {
        double s = 0;
        for (float w : datum.lossFnInputs().get("weights").toFloats()) {
            s += w;
        }
        return s;
    }
}
