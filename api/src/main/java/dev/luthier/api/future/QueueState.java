package dev.luthier.api.future;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;
import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code queue_state} of a pending future. Non-active states make the SDK warn the user. */
public enum QueueState {
  @JsonEnumDefaultValue
  @JsonProperty("active")
  ACTIVE,
  @JsonProperty("paused_capacity")
  PAUSED_CAPACITY,
  @JsonProperty("paused_rate_limit")
  PAUSED_RATE_LIMIT
}
