package dev.luthier.api.training;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.luthier.api.Fields;
import dev.luthier.api.WireFormatException;
import dev.luthier.api.tensor.TensorData;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The result of forward / forward_backward: {@code {"loss_fn_output_type": "ArrayRecord",
 * "loss_fn_outputs": [{"logprobs": TensorData}, ...one per datum], "metrics": {"loss:sum": x}}}.
 * All three keys are required. Every metric key must be {@code name:reduction} (checked here,
 * see {@link MetricKeys}).
 */
public record ForwardBackwardOutput(
    @JsonProperty(value = "loss_fn_output_type", required = true) String lossFnOutputType,
    @JsonProperty(value = "loss_fn_outputs", required = true) List<Map<String, TensorData>> lossFnOutputs,
    @JsonProperty(value = "metrics", required = true) Map<String, Double> metrics) {
  public static final String ARRAY_RECORD = "ArrayRecord";

  public ForwardBackwardOutput {
    Fields.require(lossFnOutputType, "loss_fn_output_type");
    Fields.require(lossFnOutputs, "loss_fn_outputs");
    Fields.require(metrics, "metrics");
    List<Map<String, TensorData>> copy = new ArrayList<>(lossFnOutputs.size());
    for (int i = 0; i < lossFnOutputs.size(); i++) {
      Map<String, TensorData> m = Fields.require(lossFnOutputs.get(i), "loss_fn_outputs[" + i + "]");
      int at = i;
      m.forEach((k, v) -> Fields.require(v, "loss_fn_outputs[" + at + "]." + k));
      copy.add(Fields.copyOrNull(m));
    }
    lossFnOutputs = List.copyOf(copy);
    for (Map.Entry<String, Double> e : metrics.entrySet()) {
      String p = MetricKeys.colonProblem(e.getKey());
      if (p != null) throw new WireFormatException("metrics", p);
      Fields.require(e.getValue(), "metrics." + e.getKey());
    }
    metrics = Fields.copyOrNull(metrics);
  }

  /** An output of type {@code ArrayRecord} with one {@code logprobs} tensor per datum. */
  public static ForwardBackwardOutput ofLogprobs(List<TensorData> logprobs, Map<String, Double> metrics) {
    List<Map<String, TensorData>> outs = new ArrayList<>(logprobs.size());
    for (TensorData t : logprobs) outs.add(Map.of("logprobs", t));
    return new ForwardBackwardOutput(ARRAY_RECORD, outs, metrics);
  }
}
