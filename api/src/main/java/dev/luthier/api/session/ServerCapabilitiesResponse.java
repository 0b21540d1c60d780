package dev.luthier.api.session;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.luthier.api.Fields;
import java.util.List;

/** {@code GET /api/v1/get_server_capabilities}: {@code {"supported_models": [SupportedModel]}} (required). */
public record ServerCapabilitiesResponse(
    @JsonProperty(value = "supported_models", required = true) List<SupportedModel> supportedModels) {
  public ServerCapabilitiesResponse {
    Fields.require(supportedModels, "supported_models");
    supportedModels = List.copyOf(supportedModels);
  }
}
