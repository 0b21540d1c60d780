package dev.luthier.api.future;

import com.fasterxml.jackson.annotation.JsonEnumDefaultValue;
import com.fasterxml.jackson.annotation.JsonProperty;

/** Who is to blame for a failed future; any other value reads as {@link #UNKNOWN}. */
public enum ErrorCategory {
  @JsonProperty("user")
  USER,
  @JsonProperty("server")
  SERVER,
  @JsonEnumDefaultValue
  @JsonProperty("unknown")
  UNKNOWN
}
