package dev.luthier.engine.sampler;

import java.util.List;

/**
 * The samples of a request, and when asked: {@code promptLogprobs[i]} = log p(prompt[i] | prompt[<i]) with
 * {@code NaN} at position 0, and {@code topkPromptLogprobs[i]} = the k most likely tokens at position i (null at 0).
 */
public record SampleResult(List<SampledSequence> sequences, float[] promptLogprobs, TokenLogprob[][] topkPromptLogprobs) {
    public record TokenLogprob(int token, float logprob) {
    }
}
