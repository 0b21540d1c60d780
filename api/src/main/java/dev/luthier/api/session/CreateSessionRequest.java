package dev.luthier.api.session;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.luthier.api.Fields;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /api/v1/create_session}: {@code {"tags": [str], "user_metadata": {str: any},
 * "sdk_version": str, "project_id": str?, "type": "create_session"}}. Missing tags and metadata
 * read as empty.
 */
public record CreateSessionRequest(
    @JsonProperty("tags") List<String> tags,
    @JsonProperty("user_metadata") Map<String, Object> userMetadata,
    @JsonProperty("sdk_version") String sdkVersion,
    @JsonProperty("project_id") String projectId) {
  public static final String TYPE = "create_session";

  public CreateSessionRequest {
    tags = Fields.listOrEmpty(tags);
    userMetadata = userMetadata == null ? Map.of() : Fields.copyOrNull(userMetadata);
  }

  @JsonProperty("type")
  public String type() {
    return TYPE;
  }
}
