package dev.luthier.api.training;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.luthier.api.Fields;
import dev.luthier.api.input.Datum;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code {"data": [Datum], "loss_fn": str, "loss_fn_config": {str: float}?}}, plus {@code
 * forward_only} which only the protobuf form carries (JSON leaves it out when false).
 *
 * <p>{@code loss_fn} is any string here: an unknown loss is not a format error; the server fails
 * the future with category {@code user}. The five the SDK knows are listed in {@link #KNOWN_LOSSES}.
 */
public record ForwardBackwardInput(
    @JsonProperty(value = "data", required = true) List<Datum> data,
    @JsonProperty(value = "loss_fn", required = true) String lossFn,
    @JsonProperty("loss_fn_config") Map<String, Double> lossFnConfig,
    @JsonProperty("forward_only") @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean forwardOnly) {

  /** The loss functions of SDK 0.25.0's {@code LossFnType}. */
  public static final List<String> KNOWN_LOSSES = List.of("cross_entropy", "importance_sampling", "ppo", "cispo", "dro");

  public ForwardBackwardInput {
    Fields.require(data, "data");
    for (int i = 0; i < data.size(); i++) Fields.require(data.get(i), "data[" + i + "]");
    data = List.copyOf(data);
    Fields.require(lossFn, "loss_fn");
    if (lossFnConfig != null) lossFnConfig.forEach((k, v) -> Fields.finite(Fields.require(v, "loss_fn_config." + k), "loss_fn_config." + k));
    lossFnConfig = Fields.copyOrNull(lossFnConfig);
  }

  /** Reads a missing {@code forward_only} as false. */
  @com.fasterxml.jackson.annotation.JsonCreator
  static ForwardBackwardInput fromJson(
      @JsonProperty(value = "data", required = true) List<Datum> data,
      @JsonProperty(value = "loss_fn", required = true) String lossFn,
      @JsonProperty("loss_fn_config") Map<String, Double> lossFnConfig,
      @JsonProperty("forward_only") Boolean forwardOnly) {
    return new ForwardBackwardInput(data, lossFn, lossFnConfig, forwardOnly != null && forwardOnly);
  }

  public ForwardBackwardInput(List<Datum> data, String lossFn, Map<String, Double> lossFnConfig) {
    this(data, lossFn, lossFnConfig, false);
  }

  /** This input with {@code forward_only} set. */
  public ForwardBackwardInput asForwardOnly() {
    return new ForwardBackwardInput(data, lossFn, lossFnConfig, true);
  }

  /** {@code loss_fn_config.get(key)}, or {@code fallback} when absent. */
  public double config(String key, double fallback) {
    if (lossFnConfig == null) return fallback;
    Double v = lossFnConfig.get(key);
    return v == null ? fallback : v;
  }

  /**
   * Problems the server should report through the future (category {@code user}) rather than as
   * a parse error: an empty batch, datums whose loss inputs disagree with their input length.
   * Empty when none. The loss name is the engine's to check.
   */
  public List<String> problems() {
    List<String> out = new ArrayList<>();
    if (data.isEmpty()) out.add("data is empty");
    for (int i = 0; i < data.size(); i++) {
      int at = i;
      data.get(i).shapeProblem().ifPresent(p -> out.add("data[" + at + "]." + p));
    }
    return out;
  }
}
