package dev.luthier.api.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.luthier.api.WireFormatException;
import dev.luthier.api.input.EncodedTextChunk;
import dev.luthier.api.input.ModelInput;
import dev.luthier.api.json.WireJson;
import dev.luthier.api.tensor.DType;
import dev.luthier.api.tensor.TensorData;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The request and result bodies of §5 of the wire spec, parsed from the spec's own examples. */
public class TrainingJsonTest {

  public static final String FORWARD_BACKWARD = """
      {"forward_backward_input": {
         "data": [ {"model_input": {"chunks": [{"tokens": [1,2,3], "type": "encoded_text"}]},
                    "loss_fn_inputs": {"target_tokens": {"data": [2,3,4], "dtype": "int64", "shape": [3]},
                                       "weights": {"data": [0.0,1.0,1.0], "dtype": "float32", "shape": [3]}}} ],
         "loss_fn": "cross_entropy",
         "loss_fn_config": {"clip_low_threshold": 0.8}},
       "model_id": "S:train:0", "seq_id": 1}""";

  @Test
  void createModel() {
    CreateModelRequest r = WireJson.read("""
        {"session_id": "S", "model_seq_id": 0, "base_model": "Qwen/Qwen3-8B",
         "user_metadata": {"k": "v"},
         "lora_config": {"rank": 32, "seed": 123,
                         "train_unembed": true, "train_mlp": true, "train_attn": true},
         "type": "create_model"}""", CreateModelRequest.class);
    assertThat(r.sessionId()).isEqualTo("S");
    assertThat(r.modelSeqId()).isZero();
    assertThat(r.baseModel()).isEqualTo("Qwen/Qwen3-8B");
    assertThat(r.userMetadata()).containsEntry("k", "v");
    assertThat(r.loraConfig()).isEqualTo(new LoraConfig(32, 123L, true, true, true));
    assertThat(r.modelId().toString()).isEqualTo("S:train:0");
  }

  @Test
  void createModelOmitsNullsAndDefaultsLora() {
    CreateModelRequest r = WireJson.read("""
        {"session_id": "S", "model_seq_id": 2, "base_model": "m", "lora_config": {"rank": 8, "train_attn": false}}""",
        CreateModelRequest.class);
    assertThat(r.userMetadata()).isNull();
    assertThat(r.loraConfig()).isEqualTo(new LoraConfig(8, null, true, true, false));
    JsonNode out = WireJson.readTree(WireJson.write(r));
    assertThat(out.has("user_metadata")).isFalse();
    assertThat(out.get("lora_config").has("seed")).isFalse();
    assertThat(out.get("type").asText()).isEqualTo("create_model");
    assertThat(WireJson.read(WireJson.write(r), CreateModelRequest.class)).isEqualTo(r);
    assertThat(new LoraConfig(8, null, false, false, false).trainsSomething()).isFalse();
  }

  @Test
  void createModelMissingFields() {
    assertError("{\"model_seq_id\": 0, \"base_model\": \"m\"}", CreateModelRequest.class, "session_id", "missing");
    assertError("{\"session_id\": \"S\", \"base_model\": \"m\"}", CreateModelRequest.class, "model_seq_id", "missing");
    assertError("{\"session_id\": \"S\", \"model_seq_id\": 0}", CreateModelRequest.class, "base_model", "missing");
    assertError("{\"session_id\": \"S\", \"model_seq_id\": \"0\", \"base_model\": \"m\"}", CreateModelRequest.class, "model_seq_id", "");
    assertError("{\"session_id\": \"S\", \"model_seq_id\": 0.5, \"base_model\": \"m\"}", CreateModelRequest.class, "model_seq_id", "");
    assertError("{\"session_id\": 7, \"model_seq_id\": 0, \"base_model\": \"m\"}", CreateModelRequest.class, "session_id", "");
    assertError("{\"session_id\": \"S\", \"model_seq_id\": 0, \"base_model\": \"m\", \"lora_config\": {\"rank\": \"big\"}}",
        CreateModelRequest.class, "lora_config.rank", "");
  }

  @Test
  void createModelResponse() {
    String json = WireJson.writeString(new CreateModelResponse("S:train:0"));
    assertThat(WireJson.readTree(json.getBytes()))
        .isEqualTo(WireJson.readTree("{\"model_id\": \"S:train:0\", \"type\": \"create_model\"}".getBytes()));
  }

  @Test
  void getInfo() {
    GetInfoRequest r = WireJson.read("{\"model_id\": \"S:train:0\", \"type\": \"get_info\"}", GetInfoRequest.class);
    assertThat(r.modelId()).isEqualTo("S:train:0");
    GetInfoResponse resp = new GetInfoResponse("S:train:0", new ModelData("llama", "meta-llama/Llama-3.2-1B", null), true, 32, "meta-llama/Llama-3.2-1B");
    JsonNode out = WireJson.readTree(WireJson.write(resp));
    assertThat(out.get("model_data").get("model_name").asText()).isEqualTo("meta-llama/Llama-3.2-1B");
    assertThat(out.get("model_data").has("tokenizer_id")).isFalse();
    assertThat(out.get("is_lora").asBoolean()).isTrue();
    assertThat(out.get("type").asText()).isEqualTo("get_info");
    assertThat(WireJson.read(WireJson.write(resp), GetInfoResponse.class)).isEqualTo(resp);
  }

  @Test
  void forwardBackwardSpecExample() {
    ForwardBackwardRequest r = WireJson.read(FORWARD_BACKWARD, ForwardBackwardRequest.class);
    assertThat(r.modelId()).isEqualTo("S:train:0");
    assertThat(r.seqId()).isEqualTo(1);
    ForwardBackwardInput in = r.input();
    assertThat(in.lossFn()).isEqualTo("cross_entropy");
    assertThat(in.lossFnConfig()).containsEntry("clip_low_threshold", 0.8);
    assertThat(in.config("clip_low_threshold", 0.0)).isEqualTo(0.8);
    assertThat(in.config("clip_high_threshold", 1.2)).isEqualTo(1.2);
    assertThat(in.forwardOnly()).isFalse();
    assertThat(in.data()).hasSize(1);
    var d = in.data().get(0);
    assertThat(d.modelInput().chunks()).containsExactly(new EncodedTextChunk(new int[] {1, 2, 3}));
    assertThat(d.modelInput().tokens()).containsExactly(1, 2, 3);
    assertThat(d.lossFnInputs()).containsOnlyKeys("target_tokens", "weights");
    assertThat(d.lossFnInputs().get("target_tokens")).isEqualTo(TensorData.ofLongs(new long[] {2, 3, 4}, 3));
    assertThat(d.lossFnInputs().get("weights")).isEqualTo(TensorData.ofFloats(new float[] {0, 1, 1}, 3));
    assertThat(in.problems()).isEmpty();
  }

  @Test
  void forwardBackwardRoundTripAndShape() {
    ForwardBackwardRequest r = WireJson.read(FORWARD_BACKWARD, ForwardBackwardRequest.class);
    byte[] json = WireJson.write(r);
    JsonNode node = WireJson.readTree(json);
    assertThat(node.has("type")).isFalse();
    assertThat(node.get("forward_backward_input").has("forward_only")).isFalse();
    assertThat(node.get("forward_backward_input").get("data").get(0).get("model_input").get("chunks").get(0).get("type").asText())
        .isEqualTo("encoded_text");
    assertThat(WireJson.read(json, ForwardBackwardRequest.class)).isEqualTo(r);
    assertThat(WireJson.readTree(json)).isEqualTo(WireJson.readTree(FORWARD_BACKWARD.getBytes()));
  }

  @Test
  void unknownLossIsNotAParseError() {
    ForwardBackwardRequest r = WireJson.read(FORWARD_BACKWARD.replace("cross_entropy", "gspo_v9"), ForwardBackwardRequest.class);
    assertThat(r.input().lossFn()).isEqualTo("gspo_v9");
    assertThat(ForwardBackwardInput.KNOWN_LOSSES).doesNotContain("gspo_v9");
  }

  @Test
  void forwardBackwardErrorsNameTheField() {
    assertError(FORWARD_BACKWARD.replace("\"data\": [0.0,1.0,1.0]", "\"data\": [0.0,NaN,1.0]"), ForwardBackwardRequest.class,
        "forward_backward_input.data[0].loss_fn_inputs.weights.data[1]", "finite");
    assertError(FORWARD_BACKWARD.replace("\"data\": [0.0,1.0,1.0]", "\"data\": [0.0,Infinity,1.0]"), ForwardBackwardRequest.class,
        "forward_backward_input.data[0].loss_fn_inputs.weights.data[1]", "finite");
    assertError(FORWARD_BACKWARD.replace("\"dtype\": \"int64\"", "\"dtype\": \"int8\""), ForwardBackwardRequest.class,
        "forward_backward_input.data[0].loss_fn_inputs.target_tokens.dtype", "unknown dtype");
    assertError(FORWARD_BACKWARD.replace("\"data\": [2,3,4]", "\"data\": [2,3.5,4]"), ForwardBackwardRequest.class,
        "forward_backward_input.data[0].loss_fn_inputs.target_tokens.data[1]", "integer");
    assertError(FORWARD_BACKWARD.replace("\"shape\": [3]}", "\"shape\": [4]}"), ForwardBackwardRequest.class,
        "forward_backward_input.data[0].loss_fn_inputs.target_tokens.shape", "holds 4 elements but data has 3");
    assertError(FORWARD_BACKWARD.replace("\"tokens\": [1,2,3]", "\"tokens\": [1,\"2\",3]"), ForwardBackwardRequest.class,
        "forward_backward_input.data[0].model_input.chunks[0].tokens[1]", "");
    assertError(FORWARD_BACKWARD.replace("\"tokens\": [1,2,3]", "\"tokens\": [1,2,3000000000]"), ForwardBackwardRequest.class,
        "forward_backward_input.data[0].model_input.chunks[0].tokens[2]", "");
    assertError(FORWARD_BACKWARD.replace("\"type\": \"encoded_text\"", "\"type\": \"video\""), ForwardBackwardRequest.class,
        "forward_backward_input.data[0].model_input.chunks[0]", "video");
    assertError(FORWARD_BACKWARD.replace(", \"type\": \"encoded_text\"", ""), ForwardBackwardRequest.class,
        "forward_backward_input.data[0].model_input.chunks[0]", "type");
    assertError(FORWARD_BACKWARD.replace("\"loss_fn\": \"cross_entropy\",", ""), ForwardBackwardRequest.class,
        "forward_backward_input.loss_fn", "missing");
    assertError(FORWARD_BACKWARD.replace("\"loss_fn\": \"cross_entropy\"", "\"loss_fn\": null"), ForwardBackwardRequest.class,
        "forward_backward_input.loss_fn", "missing or null");
    assertError(FORWARD_BACKWARD.replace("\"seq_id\": 1", "\"seq_id\": null"), ForwardBackwardRequest.class, "seq_id", "");
    assertError(FORWARD_BACKWARD.replace(", \"seq_id\": 1", ""), ForwardBackwardRequest.class, "seq_id", "missing");
    assertError(FORWARD_BACKWARD.replace("0.8}", "\"low\"}"), ForwardBackwardRequest.class,
        "forward_backward_input.loss_fn_config.clip_low_threshold", "number");
    assertError(FORWARD_BACKWARD.replace("0.8}", "NaN}"), ForwardBackwardRequest.class,
        "forward_backward_input.loss_fn_config.clip_low_threshold", "finite");
    assertError(FORWARD_BACKWARD.replace("\"loss_fn_inputs\": {", "\"loss_fn_inputs\": {\"advantages\": null, "), ForwardBackwardRequest.class,
        "forward_backward_input.data[0].loss_fn_inputs.advantages", "missing or null");
    assertError(FORWARD_BACKWARD.replace("\"loss_fn_inputs\": {", "\"loss_fn_inputs\": {\"weights\": null, "), ForwardBackwardRequest.class,
        "forward_backward_input.data[0].loss_fn_inputs", "Duplicate field 'weights'");
    assertThatThrownBy(() -> WireJson.read(FORWARD_BACKWARD.substring(0, 200), ForwardBackwardRequest.class))
        .isInstanceOf(WireFormatException.class).hasMessageContaining("malformed JSON");
    assertError("{\"model_id\": \"S:train:0\", }", GetInfoRequest.class, "", "malformed JSON at line 1");
    assertError(FORWARD_BACKWARD + " {}", ForwardBackwardRequest.class, "", "");
    assertError("", ForwardBackwardRequest.class, "", "empty body");
    assertError("null", ForwardBackwardRequest.class, "", "null");
    assertError("[]", ForwardBackwardRequest.class, "", "");
  }

  @Test
  void duplicateKeysAreRefused() {
    assertError("{\"model_id\": \"a\", \"model_id\": \"b\"}", GetInfoRequest.class, "", "Duplicate");
  }

  @Test
  void problemsAreReportedNotThrown() {
    ForwardBackwardRequest r = WireJson.read(FORWARD_BACKWARD.replace("\"data\": [2,3,4], \"dtype\": \"int64\", \"shape\": [3]",
        "\"data\": [2,3], \"dtype\": \"int64\", \"shape\": [2]"), ForwardBackwardRequest.class);
    assertThat(r.input().problems()).singleElement().asString()
        .contains("data[0].loss_fn_inputs.target_tokens has leading dimension 2 but model_input has 3 positions");
    ForwardBackwardInput empty = new ForwardBackwardInput(List.of(), "cross_entropy", null);
    assertThat(empty.problems()).containsExactly("data is empty");
  }

  @Test
  void sparseTargetsInsideARequest() {
    String body = """
        {"forward_backward_input": {"data": [{"model_input": {"chunks": [{"type": "encoded_text", "tokens": [5, 6]}]},
          "loss_fn_inputs": {
            "target_tokens": {"data": [7, 8, 9], "dtype": "int64", "shape": [2, 2], "sparse_crow_indices": [0, 2, 3], "sparse_col_indices": [0, 1, 1]},
            "weights": {"data": [0.75, 0.25, 1.0], "dtype": "float32", "shape": [2, 2], "sparse_crow_indices": [0, 2, 3], "sparse_col_indices": [0, 1, 1]}}}],
          "loss_fn": "cross_entropy"}, "model_id": "S:train:0", "seq_id": 3}""";
    ForwardBackwardRequest r = WireJson.read(body, ForwardBackwardRequest.class);
    var in = r.input().data().get(0).lossFnInputs();
    assertThat(in.get("target_tokens").longs()).containsExactly(7, 8, 0, 9);
    assertThat(in.get("weights").floats()).containsExactly(0.75f, 0.25f, 0f, 1f);
    assertThat(in.get("weights").shape()).containsExactly(2, 2);
    assertThat(r.input().lossFnConfig()).isNull();
    assertThat(r.input().problems()).isEmpty();
  }

  @Test
  void forwardIsForwardOnlyForwardBackward() {
    String body = FORWARD_BACKWARD.replace("forward_backward_input", "forward_input");
    ForwardRequest f = WireJson.read(body, ForwardRequest.class);
    ForwardBackwardRequest fb = f.asForwardBackward();
    assertThat(fb.input().forwardOnly()).isTrue();
    assertThat(fb.seqId()).isEqualTo(1);
    assertThat(WireJson.readTree(WireJson.write(fb)).get("forward_backward_input").get("forward_only").asBoolean()).isTrue();
    assertError(FORWARD_BACKWARD, ForwardRequest.class, "forward_input", "missing");
  }

  @Test
  void forwardBackwardOutputShape() {
    ForwardBackwardOutput out = ForwardBackwardOutput.ofLogprobs(
        List.of(TensorData.ofFloats(new float[] {-0.5f, -1.25f}), TensorData.ofFloats(new float[] {-2f, -0.125f, -3f, -4f}, 2, 2)),
        Map.of("loss:sum", 12.3));
    String json = WireJson.writeString(out);
    assertThat(WireJson.readTree(json.getBytes())).isEqualTo(WireJson.readTree("""
        {"loss_fn_output_type": "ArrayRecord",
         "loss_fn_outputs": [{"logprobs": {"data": [-0.5, -1.25], "dtype": "float32", "shape": [2]}},
                             {"logprobs": {"data": [-2.0, -0.125, -3.0, -4.0], "dtype": "float32", "shape": [2, 2]}}],
         "metrics": {"loss:sum": 12.3}}""".getBytes()));
    assertThat(json).doesNotContain("error").doesNotContain("NaN");
    assertThat(WireJson.read(json, ForwardBackwardOutput.class)).isEqualTo(out);
  }

  @Test
  void metricKeysNeedExactlyOneColon() {
    assertThatThrownBy(() -> ForwardBackwardOutput.ofLogprobs(List.of(), Map.of("loss", 1.0))).hasMessageContaining("no ':'");
    assertThatThrownBy(() -> ForwardBackwardOutput.ofLogprobs(List.of(), Map.of("a:b:sum", 1.0))).hasMessageContaining("more than one");
    assertThat(ForwardBackwardOutput.ofLogprobs(List.of(), Map.of("custom:weird", 1.0)).metrics()).containsKey("custom:weird");
    assertThat(MetricKeys.problem("custom:weird")).contains("unknown reduction");
    assertThat(MetricKeys.problem("e_frac_with_tokens:mean")).isNull();
    assertThat(MetricKeys.of("loss", "sum")).isEqualTo("loss:sum");
    assertThatThrownBy(() -> MetricKeys.of("a", "avg")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void nonFiniteMetricsNeverBecomeNaN() {
    String json = WireJson.writeString(ForwardBackwardOutput.ofLogprobs(List.of(), Map.of("loss:sum", Double.NaN)));
    assertThat(json).doesNotContain("NaN").contains("\"loss:sum\":null");
  }

  @Test
  void optimStep() {
    OptimStepRequest r = WireJson.read("""
        {"adam_params": {"learning_rate": 1e-4, "beta1": 0.9, "beta2": 0.95, "eps": 1e-12, "weight_decay": 0.0, "grad_clip_norm": 0.0},
         "model_id": "S:train:0", "seq_id": 2, "type": "optim_step"}""", OptimStepRequest.class);
    assertThat(r.adamParams()).isEqualTo(new AdamParams(1e-4, 0.9, 0.95, 1e-12, 0.0, 0.0));
    assertThat(r.seqId()).isEqualTo(2);
    assertThat(WireJson.read(WireJson.write(r), OptimStepRequest.class)).isEqualTo(r);
    assertThat(WireJson.readTree(WireJson.write(r)).get("type").asText()).isEqualTo("optim_step");
  }

  @Test
  void adamParamsMissingFieldsTakeDefaults() {
    AdamParams p = WireJson.read("{\"learning_rate\": 0.001}", AdamParams.class);
    assertThat(p).isEqualTo(new AdamParams(0.001, 0.9, 0.95, 1e-12, 0.0, 0.0));
    assertThat(WireJson.read("{}", AdamParams.class)).isEqualTo(AdamParams.defaults());
    assertThat(WireJson.read("{\"learning_rate\": 3, \"beta1\": 0.5, \"beta2\": 0.99, \"eps\": 1e-8}", AdamParams.class))
        .isEqualTo(new AdamParams(3, 0.5, 0.99, 1e-8, 0.0, 0.0));
    assertError("{\"learning_rate\": NaN}", AdamParams.class, "learning_rate", "finite");
    assertError("{\"learning_rate\": \"1e-4\"}", AdamParams.class, "learning_rate", "number");
    assertThat(WireJson.read("{\"weight_decay\": null}", AdamParams.class).weightDecay()).isZero();
  }

  @Test
  void optimStepResponse() {
    assertThat(WireJson.writeString(new OptimStepResponse(null))).isEqualTo("{}");
    assertThat(WireJson.writeString(new OptimStepResponse(Map.of("grad_norm:mean", 0.5)))).isEqualTo("{\"metrics\":{\"grad_norm:mean\":0.5}}");
    assertThat(WireJson.read("{}", OptimStepResponse.class).metrics()).isNull();
  }

  @Test
  void saveWeights() {
    SaveWeightsRequest r = WireJson.read("""
        {"model_id": "S:train:0", "path": "step-10", "seq_id": 4, "ttl_seconds": 3600, "overwrite": false, "type": "save_weights"}""",
        SaveWeightsRequest.class);
    assertThat(r).isEqualTo(new SaveWeightsRequest("S:train:0", "step-10", 4, 3600L, false));
    SaveWeightsRequest noTtl = WireJson.read("{\"model_id\": \"S:train:0\", \"path\": \"a\", \"seq_id\": 4, \"ttl_seconds\": null}", SaveWeightsRequest.class);
    assertThat(noTtl.ttlSeconds()).isNull();
    assertThat(noTtl.overwrite()).isFalse();
    assertError("{\"model_id\": \"S:train:0\", \"seq_id\": 4}", SaveWeightsRequest.class, "path", "missing");
    assertThat(WireJson.writeString(new SaveWeightsResponse("tinker://S:train:0/weights/a")))
        .isEqualTo("{\"path\":\"tinker://S:train:0/weights/a\",\"type\":\"save_weights\"}");
  }

  @Test
  void loadWeightsLegacyMode() {
    LoadWeightsRequest r = WireJson.read("""
        {"model_id": "S:train:1", "seq_id": 1, "path": "tinker://S:train:0/weights/a", "optimizer": true, "type": "load_weights"}""",
        LoadWeightsRequest.class);
    assertThat(r.mode()).isEqualTo(LoadWeightsRequest.Mode.MODEL);
    assertThat(r.optimizer()).isTrue();
    assertThat(r.targetModelId()).isEqualTo("S:train:1");
    assertThat(r.targetSeqId()).isEqualTo(1);
    assertThat(r.weightsAccessToken()).isNull();
    assertThat(WireJson.read(WireJson.write(r), LoadWeightsRequest.class)).isEqualTo(r);
  }

  @Test
  void loadWeightsCreateMode() {
    LoadWeightsRequest r = WireJson.read("""
        {"session_id": "S", "model_seq_id": 3, "base_model": "Qwen/Qwen3-8B", "user_metadata": {},
         "path": "tinker://other:train:0/weights/ckpt", "optimizer": false, "weights_access_token": "tml-xyz", "type": "load_weights"}""",
        LoadWeightsRequest.class);
    assertThat(r.mode()).isEqualTo(LoadWeightsRequest.Mode.CREATE);
    assertThat(r.targetModelId()).isEqualTo("S:train:3");
    assertThat(r.targetSeqId()).isZero();
    assertThat(r.weightsAccessToken()).isEqualTo("tml-xyz");
    JsonNode out = WireJson.readTree(WireJson.write(r));
    assertThat(out.has("model_id")).isFalse();
    assertThat(out.has("seq_id")).isFalse();
    assertThat(WireJson.read(WireJson.write(r), LoadWeightsRequest.class)).isEqualTo(r);
  }

  @Test
  void loadWeightsModeErrors() {
    assertError("{\"path\": \"tinker://a/weights/b\"}", LoadWeightsRequest.class, "model_id", "missing");
    assertError("{\"model_id\": \"S:train:0\", \"path\": \"tinker://a/weights/b\"}", LoadWeightsRequest.class, "seq_id", "missing");
    assertError("{\"session_id\": \"S\", \"path\": \"tinker://a/weights/b\"}", LoadWeightsRequest.class, "model_seq_id", "missing");
    assertError("{\"model_id\": \"S:train:0\", \"seq_id\": 1, \"session_id\": \"S\", \"model_seq_id\": 0, \"path\": \"p\"}",
        LoadWeightsRequest.class, "", "not both");
    assertError("{\"model_id\": \"S:train:0\", \"seq_id\": 1}", LoadWeightsRequest.class, "path", "missing");
  }

  @Test
  void saveWeightsForSamplerNamedAndUnnamed() {
    SaveWeightsForSamplerRequest named = WireJson.read("""
        {"model_id": "S:train:0", "path": "s1", "seq_id": 5, "ttl_seconds": 60, "type": "save_weights_for_sampler"}""",
        SaveWeightsForSamplerRequest.class);
    assertThat(named.named()).isTrue();
    assertThat(named.unnamedSamplerId()).isNull();
    SaveWeightsForSamplerRequest unnamed = WireJson.read("""
        {"model_id": "S:train:0", "seq_id": 6, "sampling_session_seq_id": 2}""", SaveWeightsForSamplerRequest.class);
    assertThat(unnamed.named()).isFalse();
    assertThat(unnamed.unnamedSamplerId()).isEqualTo("S:sample:2");
    assertThat(WireJson.writeString(SaveWeightsForSamplerResponse.named("tinker://S:train:0/sampler_weights/s1")))
        .isEqualTo("{\"path\":\"tinker://S:train:0/sampler_weights/s1\",\"type\":\"save_weights_for_sampler\"}");
    assertThat(WireJson.writeString(SaveWeightsForSamplerResponse.unnamed("S:sample:2")))
        .isEqualTo("{\"sampling_session_id\":\"S:sample:2\",\"type\":\"save_weights_for_sampler\"}");
  }

  @Test
  void unloadModel() {
    assertThat(WireJson.read("{\"model_id\": \"S:train:0\", \"type\": \"unload_model\"}", UnloadModelRequest.class).modelId())
        .isEqualTo("S:train:0");
    assertThat(WireJson.writeString(new UnloadModelResponse("S:train:0"))).isEqualTo("{\"model_id\":\"S:train:0\",\"type\":\"unload_model\"}");
  }

  @Test
  void loadWeightsResponseAllOptional() {
    assertThat(WireJson.writeString(new LoadWeightsResponse(null, null))).isEqualTo("{\"type\":\"load_weights\"}");
    assertThat(WireJson.read("{\"type\":\"load_weights\"}", LoadWeightsResponse.class)).isEqualTo(new LoadWeightsResponse(null, null));
  }

  @Test
  void modelInputHelpers() {
    ModelInput in = ModelInput.ofTokens(4, 5);
    assertThat(in.length()).hasValue(2);
    assertThat(in.textOnly()).isTrue();
    assertThat(TensorData.ofInts(new int[] {1}).dtype()).isEqualTo(DType.INT64);
  }

  static void assertError(String json, Class<?> type, String field, String reasonPart) {
    assertThatThrownBy(() -> WireJson.read(json, type))
        .isInstanceOfSatisfying(WireFormatException.class, e -> {
          assertThat(e.field()).as(e.getMessage()).isEqualTo(field);
          assertThat(e.reason()).as(e.getMessage()).contains(reasonPart);
        });
  }
}
