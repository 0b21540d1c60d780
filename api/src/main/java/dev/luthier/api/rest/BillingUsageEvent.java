package dev.luthier.api.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.luthier.api.Fields;
import java.time.Instant;

/**
 * One hourly usage bucket: {@code {"bucket_start", "bucket_end", "base_model"?, "user_id"?,
 * "user_name"?, "session_id"?, "project_id"?, "event_info": UsageEventInfo}}.
 */
public record BillingUsageEvent(
    @JsonProperty(value = "bucket_start", required = true) Instant bucketStart,
    @JsonProperty(value = "bucket_end", required = true) Instant bucketEnd,
    @JsonProperty("base_model") String baseModel,
    @JsonProperty("user_id") String userId,
    @JsonProperty("user_name") String userName,
    @JsonProperty("session_id") String sessionId,
    @JsonProperty("project_id") String projectId,
    @JsonProperty(value = "event_info", required = true) UsageEventInfo eventInfo) {
  public BillingUsageEvent {
    Fields.require(bucketStart, "bucket_start");
    Fields.require(bucketEnd, "bucket_end");
    Fields.require(eventInfo, "event_info");
  }
}
