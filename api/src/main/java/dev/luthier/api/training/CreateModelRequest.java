package dev.luthier.api.training;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.luthier.api.Fields;
import dev.luthier.api.ids.ModelId;
import java.util.Map;

/**
 * {@code POST /api/v1/create_model} → future → {@link CreateModelResponse}: {@code {"session_id",
 * "model_seq_id", "base_model", "user_metadata"?, "lora_config"?, "type": "create_model"}}. The
 * model id is {@code "<session_id>:train:<model_seq_id>"}; dedupe on (session_id, model_seq_id).
 */
public record CreateModelRequest(
    @JsonProperty(value = "session_id", required = true) String sessionId,
    @JsonProperty(value = "model_seq_id", required = true) int modelSeqId,
    @JsonProperty(value = "base_model", required = true) String baseModel,
    @JsonProperty("user_metadata") Map<String, Object> userMetadata,
    @JsonProperty("lora_config") LoraConfig loraConfig) {
  public static final String TYPE = "create_model";

  public CreateModelRequest {
    Fields.require(sessionId, "session_id");
    Fields.require(baseModel, "base_model");
    userMetadata = Fields.copyOrNull(userMetadata);
  }

  /** The id the real service gives this model. */
  public ModelId modelId() {
    return new ModelId(sessionId, modelSeqId);
  }

  @JsonProperty("type")
  public String type() {
    return TYPE;
  }
}
