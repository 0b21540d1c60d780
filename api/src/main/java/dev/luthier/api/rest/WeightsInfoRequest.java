package dev.luthier.api.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.luthier.api.Fields;
import dev.luthier.api.ids.TinkerPath;

/** {@code POST /api/v1/weights_info}: {@code {"tinker_path": str}}. */
public record WeightsInfoRequest(@JsonProperty(value = "tinker_path", required = true) String tinkerPath) {
  public WeightsInfoRequest {
    Fields.require(tinkerPath, "tinker_path");
  }

  /** The parsed path (a {@link dev.luthier.api.WireFormatException} when malformed). */
  public TinkerPath path() {
    return TinkerPath.parse(tinkerPath);
  }
}
