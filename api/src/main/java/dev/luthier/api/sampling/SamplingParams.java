package dev.luthier.api.sampling;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigInteger;

/**
 * {@code {"max_tokens": int?, "seed": int?, "stop": str | [str] | [int] | null, "temperature": 1.0,
 * "top_k": -1, "top_p": 1.0}}. Missing fields take these defaults; null ones are left out when
 * written. {@code top_k = -1} means no limit. {@code seed} is any integer (Python ints are
 * unbounded); {@link #foldedSeed()} brings it into [0, 2^63−1). Ranges are not checked here: the
 * sampler reports bad values through the future.
 */
public record SamplingParams(
    @JsonProperty("max_tokens") Integer maxTokens,
    @JsonProperty("seed") BigInteger seed,
    @JsonProperty("stop") Stop stop,
    @JsonProperty("temperature") double temperature,
    @JsonProperty("top_k") int topK,
    @JsonProperty("top_p") double topP) {
  private static final BigInteger FOLD = BigInteger.valueOf(Long.MAX_VALUE); // 2^63 - 1

  @JsonCreator
  static SamplingParams fromJson(
      @JsonProperty("max_tokens") Integer maxTokens,
      @JsonProperty("seed") BigInteger seed,
      @JsonProperty("stop") Stop stop,
      @JsonProperty("temperature") Double temperature,
      @JsonProperty("top_k") Integer topK,
      @JsonProperty("top_p") Double topP) {
    return new SamplingParams(maxTokens, seed, stop, temperature == null ? 1.0 : temperature,
        topK == null ? -1 : topK, topP == null ? 1.0 : topP);
  }

  /** Defaults with {@code max_tokens}. */
  public static SamplingParams ofMaxTokens(int maxTokens) {
    return new SamplingParams(maxTokens, null, null, 1.0, -1, 1.0);
  }

  /** The seed folded into [0, 2^63−1) (non-negative remainder modulo 2^63−1), or null. */
  public Long foldedSeed() {
    return seed == null ? null : seed.mod(FOLD).longValueExact();
  }

  /** True when sampling is greedy (temperature 0). */
  public boolean greedy() {
    return temperature == 0.0;
  }
}
