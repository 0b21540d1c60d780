package dev.luthier.api.training;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.luthier.api.Fields;
import dev.luthier.api.ids.SamplerId;

/**
 * {@code POST /api/v1/save_weights_for_sampler} → future → {@link SaveWeightsForSamplerResponse}.
 *
 * <ul>
 *   <li>Named: {@code {"model_id", "path": "<name>", "seq_id", "ttl_seconds"?, "type"}}; the
 *       result's path is {@code tinker://<model_id>/sampler_weights/<name>}.
 *   <li>Unnamed: {@code {"model_id", "seq_id", "sampling_session_seq_id": n, "ttl_seconds"?}}; the
 *       result's {@code sampling_session_id} ({@code "<session>:sample:<n>"}) is used for asample
 *       directly. Dedupe on (session, n). Ephemeral.
 * </ul>
 */
public record SaveWeightsForSamplerRequest(
    @JsonProperty(value = "model_id", required = true) String modelId,
    @JsonProperty("path") String path,
    @JsonProperty(value = "seq_id", required = true) int seqId,
    @JsonProperty("sampling_session_seq_id") Integer samplingSessionSeqId,
    @JsonProperty("ttl_seconds") Long ttlSeconds) {
  public static final String TYPE = "save_weights_for_sampler";

  public SaveWeightsForSamplerRequest {
    Fields.require(modelId, "model_id");
  }

  /** True when the request names the checkpoint (has a path). */
  public boolean named() {
    return path != null;
  }

  /**
   * The sampler id of an unnamed save, {@code "<session>:sample:<n>"}, where session is the model
   * id's session; null when named or when {@code sampling_session_seq_id} is absent.
   */
  public String unnamedSamplerId() {
    if (path != null || samplingSessionSeqId == null) return null;
    return new SamplerId(dev.luthier.api.ids.ModelId.parse(modelId).sessionId(), samplingSessionSeqId).toString();
  }

  @JsonProperty("type")
  public String type() {
    return TYPE;
  }
}
