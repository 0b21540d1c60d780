package dev.luthier.cookbook.sft;

import dev.luthier.api.input.Datum;
import dev.luthier.api.tensor.TensorData;
import dev.luthier.api.training.ForwardBackwardOutput;
import dev.luthier.client.training.TrainingClient;
import dev.luthier.cookbook.renderers.Tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Scores held-out datums with {@code forward} (no backward, gradients untouched): the NLL of each weighted target
 * token from the returned log-probabilities, and the UTF-8 length of the weighted tokens' text (decoded per datum)
 * for bits per byte.
 */
public final class NllEvaluator {
    private final List<Datum> data;
    private final long bytes;
    private final double weightedTokens;

    public NllEvaluator(List<Datum> data, Tokenizer tokenizer) {
        if (data.isEmpty()) {
            throw new IllegalArgumentException("no held-out data to evaluate");
        }
        this.data = List.copyOf(data);
        long b = 0;
        double w = 0;
        for (Datum d : data) {
            int[] targets = d.lossFnInputs().get("target_tokens").toInts();
            float[] weights = d.lossFnInputs().get("weights").toFloats();
            b += weightedText(targets, weights, tokenizer).getBytes(StandardCharsets.UTF_8).length;
            for (float x : weights) {
                w += x;
            }
        }
        if (w <= 0) {
            throw new IllegalArgumentException("the held-out data has no weighted tokens");
        }
        this.bytes = b;
        this.weightedTokens = w;
    }

    /** The text of the tokens whose weight is positive, in order. */
    static String weightedText(int[] targets, float[] weights, Tokenizer tokenizer) {
        int n = 0;
        int[] kept = new int[targets.length];
        for (int i = 0; i < targets.length; i++) {
            if (weights[i] > 0) {
                kept[n++] = targets[i];
            }
        }
        return tokenizer.decode(java.util.Arrays.copyOf(kept, n));
    }

    public long bytes() {
        return bytes;
    }

    /** Submits the forward pass now (it is sequenced after everything already submitted to {@code training}). */
    public CompletableFuture<HeldOutNll> evaluate(TrainingClient training) {
        return training.forward(data, "cross_entropy").thenApply(this::score);
    }

    /** The NLL of a forward output over these datums: {@code -sum(weight * logprob)}. */
    HeldOutNll score(ForwardBackwardOutput out) {
        if (out.lossFnOutputs().size() != data.size()) {
            throw new IllegalStateException("forward returned " + out.lossFnOutputs().size() + " outputs for " + data.size() + " datums");
        }
        double nll = 0;
        for (int i = 0; i < data.size(); i++) {
            TensorData lp = out.lossFnOutputs().get(i).get("logprobs");
            float[] logprobs = lp.toFloats();
            float[] weights = data.get(i).lossFnInputs().get("weights").toFloats();
            for (int j = 0; j < weights.length; j++) {
                nll -= weights[j] * (double) logprobs[j];
            }
        }
        return new HeldOutNll(nll, weightedTokens, bytes);
    }
}
