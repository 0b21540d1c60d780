package dev.luthier.api.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.luthier.api.Fields;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/v1/billing/usage/events?starting_on=&ending_before=} (0.23.3+): {@code {"data":
 * [BillingUsageEvent], "sessions": {id: {"user_metadata": {}?}}}}.
 */
public record UsageEventsResponse(
    @JsonProperty(value = "data", required = true) List<BillingUsageEvent> data,
    @JsonProperty("sessions") Map<String, SessionUsage> sessions) {
  public UsageEventsResponse {
    data = List.copyOf(Fields.require(data, "data"));
    sessions = sessions == null ? Map.of() : Fields.copyOrNull(sessions);
  }

  /** Session attributes: {@code {"user_metadata": {str: str}?}}. */
  public record SessionUsage(@JsonProperty("user_metadata") Map<String, String> userMetadata) {}
}
