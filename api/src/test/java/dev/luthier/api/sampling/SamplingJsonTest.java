package dev.luthier.api.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.luthier.api.WireFormatException;
import dev.luthier.api.json.WireJson;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** §6 and §9.4–9.5 of the wire spec. */
class SamplingJsonTest {

  static final String ASAMPLE = """
      {"sampling_session_id": "S:sample:0", "seq_id": 0, "num_samples": 4,
       "prompt": {"chunks": [{"tokens": [1,2,3], "type": "encoded_text"}]},
       "sampling_params": {"max_tokens": 64, "seed": 7, "stop": ["\\n\\n"] , "temperature": 1.0, "top_k": -1, "top_p": 1.0},
       "prompt_logprobs": false, "topk_prompt_logprobs": 0, "type": "sample"}""";

  @Test
  void asampleSpecExample() {
    SampleRequest r = WireJson.read(ASAMPLE, SampleRequest.class);
    assertThat(r.samplingSessionId()).isEqualTo("S:sample:0");
    assertThat(r.seqId()).isZero();
    assertThat(r.numSamples()).isEqualTo(4);
    assertThat(r.prompt().tokens()).containsExactly(1, 2, 3);
    SamplingParams p = r.samplingParams();
    assertThat(p.maxTokens()).isEqualTo(64);
    assertThat(p.seed()).isEqualTo(BigInteger.valueOf(7));
    assertThat(p.foldedSeed()).isEqualTo(7L);
    assertThat(p.stop()).isEqualTo(new Stop.Strings(List.of("\n\n")));
    assertThat(p.temperature()).isEqualTo(1.0);
    assertThat(p.topK()).isEqualTo(-1);
    assertThat(p.topP()).isEqualTo(1.0);
    assertThat(r.promptLogprobs()).isFalse();
    assertThat(r.topkPromptLogprobs()).isZero();
    JsonNode round = WireJson.readTree(WireJson.write(r));
    assertThat(round).isEqualTo(WireJson.readTree(ASAMPLE.getBytes()));
  }

  @Test
  void samplingParamsDefaultsAndOmissions() {
    SamplingParams p = WireJson.read("{}", SamplingParams.class);
    assertThat(p).isEqualTo(new SamplingParams(null, null, null, 1.0, -1, 1.0));
    assertThat(p.foldedSeed()).isNull();
    assertThat(WireJson.writeString(p)).isEqualTo("{\"temperature\":1.0,\"top_k\":-1,\"top_p\":1.0}");
    SamplingParams greedy = WireJson.read("{\"temperature\": 0, \"top_k\": 50, \"top_p\": 0.9, \"max_tokens\": null}", SamplingParams.class);
    assertThat(greedy.greedy()).isTrue();
    assertThat(greedy.topK()).isEqualTo(50);
    assertThat(greedy.maxTokens()).isNull();
  }

  @Test
  void stopForms() {
    assertThat(stop("\"###\"")).isEqualTo(new Stop.Strings(List.of("###")));
    assertThat(stop("[\"a\", \"b\"]")).isEqualTo(new Stop.Strings(List.of("a", "b")));
    assertThat(stop("[128001, 128009]")).isEqualTo(new Stop.Tokens(new int[] {128001, 128009}));
    assertThat(stop("[]")).isEqualTo(new Stop.Strings(List.of()));
    assertThat(stop("[]").empty()).isTrue();
    assertThat(stop("null")).isNull();
    assertThat(WireJson.writeString(new SamplingParams(null, null, Stop.tokens(5, 6), 1, -1, 1))).contains("\"stop\":[5,6]");
    assertThat(WireJson.writeString(new SamplingParams(null, null, Stop.strings("x"), 1, -1, 1))).contains("\"stop\":[\"x\"]");
    assertStopError("[1, \"a\"]", "sampling_params.stop[1]");
    assertStopError("[\"a\", 1]", "sampling_params.stop[1]");
    assertStopError("[1.5]", "sampling_params.stop[0]");
    assertStopError("[null]", "sampling_params.stop[0]");
    assertStopError("[9999999999]", "sampling_params.stop[0]");
    assertStopError("{}", "sampling_params.stop");
    assertStopError("7", "sampling_params.stop");
  }

  @Test
  void seedIsABigIntegerFoldedIntoInt63() {
    SamplingParams huge = params("\"seed\": 123456789012345678901234567890");
    assertThat(huge.seed()).isEqualTo(new BigInteger("123456789012345678901234567890"));
    BigInteger mod = BigInteger.valueOf(Long.MAX_VALUE);
    assertThat(huge.foldedSeed()).isEqualTo(new BigInteger("123456789012345678901234567890").mod(mod).longValue());
    assertThat(params("\"seed\": 9223372036854775807").foldedSeed()).isZero(); // 2^63 - 1 folds to 0
    assertThat(params("\"seed\": 9223372036854775806").foldedSeed()).isEqualTo(Long.MAX_VALUE - 1);
    assertThat(params("\"seed\": -1").foldedSeed()).isEqualTo(Long.MAX_VALUE - 1);
    assertThat(params("\"seed\": 0").foldedSeed()).isZero();
    assertThatThrownBy(() -> params("\"seed\": 1.5")).isInstanceOf(WireFormatException.class).hasMessageContaining("sampling_params.seed");
    assertThatThrownBy(() -> params("\"seed\": \"7\"")).isInstanceOf(WireFormatException.class).hasMessageContaining("sampling_params.seed");
    assertThat(WireJson.writeString(huge)).contains("\"seed\":123456789012345678901234567890");
  }

  @Test
  void seqIdIsInt64() {
    SampleRequest r = WireJson.read(ASAMPLE.replace("\"seq_id\": 0", "\"seq_id\": 999999999000000000"), SampleRequest.class);
    assertThat(r.seqId()).isEqualTo(999_999_999_000_000_000L);
  }

  @Test
  void asampleDefaultsAndErrors() {
    SampleRequest r = WireJson.read("""
        {"sampling_session_id": "S:sample:1", "prompt": {"chunks": []}, "sampling_params": {}}""", SampleRequest.class);
    assertThat(r.numSamples()).isEqualTo(1);
    assertThat(r.promptLogprobs()).isFalse();
    assertThat(r.topkPromptLogprobs()).isZero();
    assertThat(r.seqId()).isNull();
    assertError(ASAMPLE.replace("\"sampling_params\": {", "\"other\": {"), "sampling_params", "missing");
    assertError(ASAMPLE.replace("\"temperature\": 1.0", "\"temperature\": NaN"), "sampling_params.temperature", "finite");
    assertError(ASAMPLE.replace("\"top_k\": -1", "\"top_k\": -1.5"), "sampling_params.top_k", "");
    assertError(ASAMPLE.replace("\"num_samples\": 4", "\"num_samples\": \"4\""), "num_samples", "");
    assertError(ASAMPLE.replace("\"prompt_logprobs\": false", "\"prompt_logprobs\": 1"), "prompt_logprobs", "");
    // legacy (<0.3) shape: base_model / model_path instead of a session
    SampleRequest legacy = WireJson.read("""
        {"base_model": "Qwen/Qwen3-8B", "prompt": {"chunks": []}, "sampling_params": {"max_tokens": 5}}""", SampleRequest.class);
    assertThat(legacy.baseModel()).isEqualTo("Qwen/Qwen3-8B");
    assertThat(legacy.samplingSessionId()).isNull();
  }

  @Test
  void sampleResponseJsonShape() {
    SampleResponse r = new SampleResponse(List.of(
        new SampledSequence(StopReason.STOP, new int[] {4, 5, 2}, new float[] {-0.5f, -0.25f, -1f}),
        new SampledSequence(StopReason.LENGTH, new int[] {6}, new float[] {-2f})),
        new float[] {Float.NaN, -1.5f, -0.75f},
        Arrays.asList(null, List.of(new TokenLogprob(9, -0.5f), new TokenLogprob(8, -2f)), List.of(new TokenLogprob(7, -0.125f))),
        0);
    String json = WireJson.writeString(r);
    assertThat(json).doesNotContain("NaN").doesNotContain("error");
    assertThat(WireJson.readTree(json.getBytes())).isEqualTo(WireJson.readTree("""
        {"sequences": [{"stop_reason": "stop", "tokens": [4, 5, 2], "logprobs": [-0.5, -0.25, -1.0]},
                       {"stop_reason": "length", "tokens": [6], "logprobs": [-2.0]}],
         "prompt_logprobs": [null, -1.5, -0.75],
         "topk_prompt_logprobs": [null, [[9, -0.5], [8, -2.0]], [[7, -0.125]]],
         "prompt_cache_hit_tokens": 0, "type": "sample"}""".getBytes()));
    SampleResponse back = WireJson.read(json, SampleResponse.class);
    assertThat(back).isEqualTo(r);
    assertThat(back.promptLogprobs()[0]).isNaN();
  }

  @Test
  void sampleResponseMinimalAndStrict() {
    SampleResponse r = WireJson.read("{\"sequences\": [{\"stop_reason\": \"length\", \"tokens\": [1]}]}", SampleResponse.class);
    assertThat(r.sequences().get(0).logprobs()).isNull();
    assertThat(r.promptLogprobs()).isNull();
    assertThat(r.promptCacheHitTokens()).isZero();
    assertThatThrownBy(() -> WireJson.read("{\"sequences\": [{\"stop_reason\": \"eos\", \"tokens\": [1]}]}", SampleResponse.class))
        .isInstanceOf(WireFormatException.class).hasMessageContaining("sequences[0].stop_reason");
    assertThatThrownBy(() -> WireJson.read("{\"sequences\": [{\"stop_reason\": \"stop\", \"tokens\": [1], \"logprobs\": [null]}]}", SampleResponse.class))
        .isInstanceOf(WireFormatException.class).hasMessageContaining("sequences[0].logprobs[0]");
    assertThatThrownBy(() -> new SampledSequence(StopReason.STOP, new int[] {1, 2}, new float[] {1f}))
        .hasMessageContaining("2 tokens");
  }

  @Test
  void samplingSessions() {
    CreateSamplingSessionRequest r = WireJson.read("""
        {"session_id": "S", "sampling_session_seq_id": 2, "model_path": "tinker://S:train:0/sampler_weights/a", "type": "create_sampling_session"}""",
        CreateSamplingSessionRequest.class);
    assertThat(r.samplerId().toString()).isEqualTo("S:sample:2");
    assertThat(r.baseModel()).isNull();
    assertThat(WireJson.writeString(new CreateSamplingSessionResponse("S:sample:2")))
        .isEqualTo("{\"sampling_session_id\":\"S:sample:2\",\"type\":\"create_sampling_session\"}");
    assertThat(WireJson.writeString(new SamplerInfo("S:sample:2", "Qwen/Qwen3-8B", null)))
        .isEqualTo("{\"sampler_id\":\"S:sample:2\",\"base_model\":\"Qwen/Qwen3-8B\"}");
  }

  static Stop stop(String json) {
    return WireJson.read("{\"stop\": " + json + "}", SamplingParams.class).stop();
  }

  static SamplingParams params(String field) {
    return WireJson.read(ASAMPLE.replace("\"seed\": 7", field), SampleRequest.class).samplingParams();
  }

  static void assertStopError(String json, String field) {
    assertThatThrownBy(() -> WireJson.read(ASAMPLE.replace("[\"\\n\\n\"]", json), SampleRequest.class))
        .isInstanceOfSatisfying(WireFormatException.class, e -> assertThat(e.field()).as(e.getMessage()).isEqualTo(field));
  }

  static void assertError(String json, String field, String reasonPart) {
    assertThatThrownBy(() -> WireJson.read(json, SampleRequest.class))
        .isInstanceOfSatisfying(WireFormatException.class, e -> {
          assertThat(e.field()).as(e.getMessage()).isEqualTo(field);
          assertThat(e.reason()).as(e.getMessage()).contains(reasonPart);
        });
  }
}
