package dev.luthier.api.input;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.luthier.api.Fields;
import dev.luthier.api.tensor.TensorData;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One training example: {@code {"model_input": ModelInput, "loss_fn_inputs": {str: TensorData}}}.
 * Known keys: {@code target_tokens} (int64), {@code weights}, {@code advantages}, {@code
 * logprobs}, {@code clip_low_threshold}, {@code clip_high_threshold} (float32). Key order is kept.
 */
public record Datum(
    @JsonProperty(value = "model_input", required = true) ModelInput modelInput,
    @JsonProperty(value = "loss_fn_inputs", required = true) Map<String, TensorData> lossFnInputs) {

  public Datum {
    Fields.require(modelInput, "model_input");
    Fields.require(lossFnInputs, "loss_fn_inputs");
    lossFnInputs.forEach((k, v) -> Fields.require(v, "loss_fn_inputs." + k));
    lossFnInputs = Fields.copyOrNull(lossFnInputs);
  }

  /** One loss input, if present. */
  public Optional<TensorData> input(String key) {
    return Optional.ofNullable(lossFnInputs.get(key));
  }

  /**
   * The first structural problem of this datum, if any: a loss input whose leading dimension
   * differs from the model input's length (checked only when that length is known). Not a format
   * error: a server reports it through the future with category {@code user}.
   */
  public Optional<String> shapeProblem() {
    OptionalInt len = modelInput.length();
    if (len.isEmpty()) return Optional.empty();
    for (Map.Entry<String, TensorData> e : lossFnInputs.entrySet()) {
      TensorData t = e.getValue();
      if (t.rank() == 0) return Optional.of("loss_fn_inputs." + e.getKey() + " is a scalar; expected a leading dimension of " + len.getAsInt());
      if (t.leadingDim() != len.getAsInt()) {
        return Optional.of("loss_fn_inputs." + e.getKey() + " has leading dimension " + t.leadingDim()
            + " but model_input has " + len.getAsInt() + " positions");
      }
    }
    return Optional.empty();
  }
}
