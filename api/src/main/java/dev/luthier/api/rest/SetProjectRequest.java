package dev.luthier.api.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.luthier.api.Fields;

/** {@code PUT /api/v1/sessions/{id}/project}: {@code {"project_id": str}}. */
public record SetProjectRequest(@JsonProperty(value = "project_id", required = true) String projectId) {
  public SetProjectRequest {
    Fields.require(projectId, "project_id");
  }
}
