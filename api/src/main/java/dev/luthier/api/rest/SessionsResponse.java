package dev.luthier.api.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.luthier.api.Fields;
import java.util.List;

/** {@code GET /api/v1/sessions}: {@code {"sessions": [str]}}. */
public record SessionsResponse(@JsonProperty(value = "sessions", required = true) List<String> sessions) {
  public SessionsResponse {
    sessions = List.copyOf(Fields.require(sessions, "sessions"));
  }
}
