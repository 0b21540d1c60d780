package dev.luthier.api.sampling;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.luthier.api.Fields;
import dev.luthier.api.WireFormatException;
import java.util.Arrays;
import java.util.Objects;

/**
 * {@code {"stop_reason": "stop"|"length", "tokens": [int], "logprobs": [float]?}}. Tokens include
 * the stop token. Logprobs are optional in the schema but RL code relies on them: always send
 * them, one per token.
 */
public record SampledSequence(
    @JsonProperty(value = "stop_reason", required = true) StopReason stopReason,
    @JsonProperty(value = "tokens", required = true) int[] tokens,
    @JsonProperty("logprobs") float[] logprobs) {
  public SampledSequence {
    Fields.require(stopReason, "stop_reason");
    Fields.require(tokens, "tokens");
    if (logprobs != null && logprobs.length != tokens.length) {
      throw new WireFormatException("logprobs", "has " + logprobs.length + " entries for " + tokens.length + " tokens");
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SampledSequence s && stopReason == s.stopReason && Arrays.equals(tokens, s.tokens)
        && Arrays.equals(logprobs, s.logprobs);
  }

  @Override
  public int hashCode() {
    return Objects.hash(stopReason, Arrays.hashCode(tokens), Arrays.hashCode(logprobs));
  }

  @Override
  public String toString() {
    return "SampledSequence[" + stopReason + " " + Arrays.toString(tokens) + " " + Arrays.toString(logprobs) + "]";
  }
}
