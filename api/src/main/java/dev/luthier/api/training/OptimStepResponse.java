package dev.luthier.api.training;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.luthier.api.Fields;
import java.util.Map;

/** {@code {"metrics": {str: float}?}}; {@code {}} is fine. */
public record OptimStepResponse(@JsonProperty("metrics") Map<String, Double> metrics) {
  public OptimStepResponse {
    if (metrics != null) metrics.forEach((k, v) -> Fields.require(v, "metrics." + k));
    metrics = Fields.copyOrNull(metrics);
  }
}
