package dev.luthier.api.sampling;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Why a sequence ended: {@code "stop"} (stop sequence, stop token or EOS) or {@code "length"} (max_tokens). Proto: 0 and 1. */
public enum StopReason {
  @JsonProperty("stop")
  STOP,
  @JsonProperty("length")
  LENGTH
}
