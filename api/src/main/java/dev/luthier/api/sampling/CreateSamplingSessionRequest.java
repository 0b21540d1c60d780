package dev.luthier.api.sampling;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.luthier.api.Fields;
import dev.luthier.api.ids.SamplerId;

/**
 * {@code POST /api/v1/create_sampling_session} (synchronous): {@code {"session_id",
 * "sampling_session_seq_id": n, "base_model": str?, "model_path": "tinker://…"?, "type":
 * "create_sampling_session"}}. Dedupe on (session_id, n). {@code model_path} may name a {@code
 * weights/} or {@code sampler_weights/} checkpoint; {@code base_model} alone samples the base.
 */
public record CreateSamplingSessionRequest(
    @JsonProperty(value = "session_id", required = true) String sessionId,
    @JsonProperty(value = "sampling_session_seq_id", required = true) int samplingSessionSeqId,
    @JsonProperty("base_model") String baseModel,
    @JsonProperty("model_path") String modelPath) {
  public static final String TYPE = "create_sampling_session";

  public CreateSamplingSessionRequest {
    Fields.require(sessionId, "session_id");
  }

  /** The natural id of the new sampler: {@code "<session>:sample:<n>"}. */
  public SamplerId samplerId() {
    return new SamplerId(sessionId, samplingSessionSeqId);
  }

  @JsonProperty("type")
  public String type() {
    return TYPE;
  }
}
