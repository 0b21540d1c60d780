package dev.luthier.api.future;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.luthier.api.Fields;

/**
 * A failed future: {@code {"error": str, "category": "user"|"server"|"unknown"}}. The presence of
 * the key {@code error} is what marks failure, so no success payload ever has it.
 */
public record RequestFailedResponse(
    @JsonProperty(value = "error", required = true) String error,
    @JsonProperty("category") ErrorCategory category) {
  public RequestFailedResponse {
    Fields.require(error, "error");
    if (category == null) category = ErrorCategory.UNKNOWN;
  }

  public static RequestFailedResponse user(String error) {
    return new RequestFailedResponse(error, ErrorCategory.USER);
  }

  public static RequestFailedResponse server(String error) {
    return new RequestFailedResponse(error, ErrorCategory.SERVER);
  }
}
