package dev.luthier.api.session;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * One SDK telemetry event. {@code event} ∈ SESSION_START, SESSION_END, UNHANDLED_EXCEPTION,
 * GENERIC_EVENT; {@code severity} DEBUG…CRITICAL. Fields are kept loose (strings and plain JSON
 * values): telemetry is informational and must never be refused for its shape.
 */
public record TelemetryEvent(
    @JsonProperty("event") String event,
    @JsonProperty("event_id") String eventId,
    @JsonProperty("event_session_index") Long eventSessionIndex,
    @JsonProperty("severity") String severity,
    @JsonProperty("timestamp") Object timestamp,
    @JsonProperty("event_name") String eventName,
    @JsonProperty("event_data") Map<String, Object> eventData,
    @JsonProperty("duration") Object duration,
    @JsonProperty("error_type") String errorType,
    @JsonProperty("error_message") String errorMessage,
    @JsonProperty("traceback") String traceback) {}
