package dev.luthier.api.sampling;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.luthier.api.Fields;
import dev.luthier.api.input.ModelInput;

/**
 * {@code POST /api/v1/asample} → future → {@link SampleResponse}: {@code {"sampling_session_id",
 * "seq_id", "num_samples": 1, "prompt": ModelInput, "sampling_params": SamplingParams,
 * "prompt_logprobs": false, "topk_prompt_logprobs": 0, "type": "sample"}}. Missing optional
 * fields take these defaults. {@code seq_id} is int64 (an unpickled client starts near 10^18) and
 * only serves to dedupe; samples are not ordered. Older SDKs sent {@code base_model}/{@code
 * model_path} instead of a session.
 */
public record SampleRequest(
    @JsonProperty("sampling_session_id") String samplingSessionId,
    @JsonProperty("seq_id") Long seqId,
    @JsonProperty("num_samples") Integer numSamples,
    @JsonProperty(value = "prompt", required = true) ModelInput prompt,
    @JsonProperty(value = "sampling_params", required = true) SamplingParams samplingParams,
    @JsonProperty("prompt_logprobs") Boolean promptLogprobs,
    @JsonProperty("topk_prompt_logprobs") Integer topkPromptLogprobs,
    @JsonProperty("base_model") String baseModel,
    @JsonProperty("model_path") String modelPath) {
  public static final String TYPE = "sample";

  public SampleRequest {
    Fields.require(prompt, "prompt");
    Fields.require(samplingParams, "sampling_params");
    if (numSamples == null) numSamples = 1;
    if (promptLogprobs == null) promptLogprobs = false;
    if (topkPromptLogprobs == null) topkPromptLogprobs = 0;
  }

  /** A request against a sampling session. */
  public static SampleRequest of(String samplingSessionId, long seqId, int numSamples, ModelInput prompt, SamplingParams params) {
    return new SampleRequest(samplingSessionId, seqId, numSamples, prompt, params, false, 0, null, null);
  }

  @JsonProperty("type")
  public String type() {
    return TYPE;
  }
}
