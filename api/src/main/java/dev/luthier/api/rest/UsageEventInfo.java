package dev.luthier.api.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * {@code event_info} of a billing usage event, tagged by {@code type}. The SDK forbids extra keys
 * here, so these records hold exactly the spec's fields.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = UsageEventInfo.Training.class, name = "training"),
  @JsonSubTypes.Type(value = UsageEventInfo.SamplingPrefill.class, name = "sampling_prefill"),
  @JsonSubTypes.Type(value = UsageEventInfo.SamplingSample.class, name = "sampling_sample"),
  @JsonSubTypes.Type(value = UsageEventInfo.Checkpoint.class, name = "checkpoint"),
  @JsonSubTypes.Type(value = UsageEventInfo.Storage.class, name = "storage")
})
public sealed interface UsageEventInfo {
  /** Training tokens processed by forward/backward passes. */
  record Training(@JsonProperty(value = "token_count", required = true) long tokenCount) implements UsageEventInfo {}

  /** Prompt tokens prefilled while sampling; {@code cached} for prefix-cache hits. */
  record SamplingPrefill(
      @JsonProperty(value = "cached", required = true) boolean cached,
      @JsonProperty(value = "token_count", required = true) long tokenCount) implements UsageEventInfo {}

  /** Tokens generated while sampling. */
  record SamplingSample(@JsonProperty(value = "token_count", required = true) long tokenCount) implements UsageEventInfo {}

  /** Checkpoint operations. */
  record Checkpoint(@JsonProperty(value = "count", required = true) long count) implements UsageEventInfo {}

  /** Checkpoint storage in gigabyte-hours. */
  record Storage(@JsonProperty(value = "gigabyte_hours", required = true) double gigabyteHours) implements UsageEventInfo {}
}
