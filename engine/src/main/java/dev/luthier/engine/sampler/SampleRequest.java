package dev.luthier.engine.sampler;

import dev.luthier.engine.lora.LoraAdapter;

/**
 * A sampling request: a prompt, the adapter to sample with (null: the base model), parameters, the number of
 * independent samples (sharing one prefill), and whether to return prompt log-probabilities and the top-k
 * alternatives at each prompt position.
 */
public record SampleRequest(LoraAdapter adapter, int[] prompt, SamplingParams params, int numSamples,
                            boolean promptLogprobs, int topkPromptLogprobs) {
    public SampleRequest {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("prompt is empty");
        }
        if (numSamples < 1) {
            throw new IllegalArgumentException("num_samples must be at least 1, got " + numSamples);
        }
        if (topkPromptLogprobs < 0) {
            throw new IllegalArgumentException("topk_prompt_logprobs must be >= 0, got " + topkPromptLogprobs);
        }
    }

    public SampleRequest(LoraAdapter adapter, int[] prompt, SamplingParams params) {
        this(adapter, prompt, params, 1, false, 0);
    }
}
