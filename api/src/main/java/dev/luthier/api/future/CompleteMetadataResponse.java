package dev.luthier.api.future;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A metadata-only peek (only when {@code allow_metadata_only} was true): {@code {"status":
 * "complete_metadata", "response_payload_size": N}}. The SDK then re-polls for the payload.
 */
public record CompleteMetadataResponse(
    @JsonProperty(value = "response_payload_size", required = true) long responsePayloadSize) {
  public static final String STATUS = "complete_metadata";

  @JsonProperty("status")
  public String status() {
    return STATUS;
  }
}
