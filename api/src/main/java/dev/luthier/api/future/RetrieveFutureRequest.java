package dev.luthier.api.future;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.luthier.api.Fields;

/**
 * {@code POST /api/v1/retrieve_future}: {@code {"request_id": str, "allow_metadata_only": bool}}
 * (missing flag = false). The first poll sends true; a server may ignore it.
 */
public record RetrieveFutureRequest(
    @JsonProperty(value = "request_id", required = true) String requestId,
    @JsonProperty("allow_metadata_only") Boolean allowMetadataOnly) {
  public RetrieveFutureRequest {
    Fields.require(requestId, "request_id");
    if (allowMetadataOnly == null) allowMetadataOnly = false;
  }
}
