package dev.luthier.api.sampling;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import dev.luthier.api.Fields;
import dev.luthier.api.json.NullableFloatArrayDeserializer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The result of asample: {@code {"sequences": [SampledSequence], "prompt_logprobs": [float|null]?,
 * "topk_prompt_logprobs": [[[int, float], ...] | null]?, "prompt_cache_hit_tokens": 0, "type":
 * "sample"}}.
 *
 * <p>{@code promptLogprobs} holds NaN where a position has no value (always the first); JSON
 * writes NaN as null and reads null as NaN, protobuf carries the NaN. {@code
 * topkPromptLogprobs} has one row per prompt position, a null row for a position without values.
 */
public record SampleResponse(
    @JsonProperty(value = "sequences", required = true) List<SampledSequence> sequences,
    @JsonProperty("prompt_logprobs") @JsonDeserialize(using = NullableFloatArrayDeserializer.class) float[] promptLogprobs,
    @JsonProperty("topk_prompt_logprobs") List<List<TokenLogprob>> topkPromptLogprobs,
    @JsonProperty("prompt_cache_hit_tokens") Integer promptCacheHitTokens) {
  public static final String TYPE = "sample";

  public SampleResponse {
    Fields.require(sequences, "sequences");
    for (int i = 0; i < sequences.size(); i++) Fields.require(sequences.get(i), "sequences[" + i + "]");
    sequences = List.copyOf(sequences);
    if (topkPromptLogprobs != null) {
      List<List<TokenLogprob>> rows = new ArrayList<>(topkPromptLogprobs.size());
      for (int i = 0; i < topkPromptLogprobs.size(); i++) {
        List<TokenLogprob> row = topkPromptLogprobs.get(i);
        if (row != null) for (int j = 0; j < row.size(); j++) Fields.require(row.get(j), "topk_prompt_logprobs[" + i + "][" + j + "]");
        rows.add(row == null ? null : List.copyOf(row));
      }
      topkPromptLogprobs = java.util.Collections.unmodifiableList(rows);
    }
    if (promptCacheHitTokens == null) promptCacheHitTokens = 0;
  }

  public static SampleResponse of(List<SampledSequence> sequences) {
    return new SampleResponse(sequences, null, null, 0);
  }

  @JsonProperty("type")
  public String type() {
    return TYPE;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SampleResponse r && sequences.equals(r.sequences) && Arrays.equals(promptLogprobs, r.promptLogprobs)
        && Objects.equals(topkPromptLogprobs, r.topkPromptLogprobs) && promptCacheHitTokens.equals(r.promptCacheHitTokens);
  }

  @Override
  public int hashCode() {
    return Objects.hash(sequences, Arrays.hashCode(promptLogprobs), topkPromptLogprobs, promptCacheHitTokens);
  }

  @Override
  public String toString() {
    return "SampleResponse[" + sequences + ", prompt_logprobs=" + Arrays.toString(promptLogprobs) + ", topk="
        + topkPromptLogprobs + ", cache_hits=" + promptCacheHitTokens + "]";
  }
}
