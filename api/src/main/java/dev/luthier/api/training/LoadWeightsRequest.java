package dev.luthier.api.training;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.luthier.api.Fields;
import dev.luthier.api.WireFormatException;
import dev.luthier.api.ids.ModelId;
import java.util.Map;

/**
 * {@code POST /api/v1/load_weights} → future → {@link LoadWeightsResponse}, in one of two
 * addressing modes ({@link #mode()}):
 *
 * <ul>
 *   <li>{@link Mode#MODEL} (after create_model): {@code {"model_id", "seq_id", "path":
 *       "tinker://…/weights/<name>", "optimizer": bool, "weights_access_token": str?, "type"}}.
 *   <li>{@link Mode#CREATE} (config {@code create_model_via_load_weights}): {@code {"session_id",
 *       "model_seq_id", "base_model": str?, "user_metadata": {}?, "path", "optimizer",
 *       "weights_access_token"?, "type"}} with no model_id/seq_id. The load is request 0 of the
 *       new model {@code "<session>:train:<model_seq_id>"}.
 * </ul>
 *
 * A body that fits neither mode (or both) is a {@link WireFormatException}.
 */
public record LoadWeightsRequest(
    @JsonProperty("model_id") String modelId,
    @JsonProperty("seq_id") Integer seqId,
    @JsonProperty("session_id") String sessionId,
    @JsonProperty("model_seq_id") Integer modelSeqId,
    @JsonProperty("base_model") String baseModel,
    @JsonProperty("user_metadata") Map<String, Object> userMetadata,
    @JsonProperty(value = "path", required = true) String path,
    @JsonProperty("optimizer") Boolean optimizer,
    @JsonProperty("weights_access_token") String weightsAccessToken) {
  public static final String TYPE = "load_weights";

  /** How the request names the model it loads into. */
  public enum Mode {
    /** An existing model, by model_id and seq_id. */
    MODEL,
    /** A new model, by session_id and model_seq_id; the load creates it. */
    CREATE
  }

  public LoadWeightsRequest {
    Fields.require(path, "path");
    if (optimizer == null) optimizer = false;
    userMetadata = Fields.copyOrNull(userMetadata);
    boolean byModel = modelId != null;
    boolean bySession = sessionId != null || modelSeqId != null;
    if (byModel && bySession) {
      throw new WireFormatException("", "give either model_id and seq_id, or session_id and model_seq_id, not both");
    }
    if (byModel) {
      Fields.require(seqId, "seq_id");
    } else if (bySession) {
      Fields.require(sessionId, "session_id");
      Fields.require(modelSeqId, "model_seq_id");
      if (seqId != null) throw new WireFormatException("seq_id", "not allowed with session_id (the load is request 0 of the new model)");
    } else {
      throw new WireFormatException("model_id", "required field is missing (or give session_id and model_seq_id)");
    }
  }

  /** A load into an existing model. */
  public static LoadWeightsRequest intoModel(String modelId, int seqId, String path, boolean optimizer, String weightsAccessToken) {
    return new LoadWeightsRequest(modelId, seqId, null, null, null, null, path, optimizer, weightsAccessToken);
  }

  /** A load that creates model {@code <session>:train:<modelSeqId>}. */
  public static LoadWeightsRequest creating(String sessionId, int modelSeqId, String baseModel, Map<String, Object> userMetadata,
      String path, boolean optimizer, String weightsAccessToken) {
    return new LoadWeightsRequest(null, null, sessionId, modelSeqId, baseModel, userMetadata, path, optimizer, weightsAccessToken);
  }

  public Mode mode() {
    return modelId != null ? Mode.MODEL : Mode.CREATE;
  }

  /** The model this loads into: model_id, or the one it creates. */
  public String targetModelId() {
    return modelId != null ? modelId : new ModelId(sessionId, modelSeqId).toString();
  }

  /** The seq_id of this request in its model's order: seq_id, or 0 when it creates the model. */
  public int targetSeqId() {
    return modelId != null ? seqId : 0;
  }

  @JsonProperty("type")
  public String type() {
    return TYPE;
  }
}
