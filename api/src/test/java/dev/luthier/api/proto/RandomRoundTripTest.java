package dev.luthier.api.proto;

import static org.assertj.core.api.Assertions.assertThat;

import dev.luthier.api.input.Datum;
import dev.luthier.api.input.EncodedTextChunk;
import dev.luthier.api.input.ModelInput;
import dev.luthier.api.input.ModelInputChunk;
import dev.luthier.api.json.WireJson;
import dev.luthier.api.sampling.SampleResponse;
import dev.luthier.api.sampling.SampledSequence;
import dev.luthier.api.sampling.StopReason;
import dev.luthier.api.sampling.TokenLogprob;
import dev.luthier.api.tensor.TensorData;
import dev.luthier.api.training.ForwardBackwardInput;
import dev.luthier.api.training.ForwardBackwardOutput;
import dev.luthier.api.training.ForwardBackwardRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random bodies survive JSON and protobuf alike, and the two wire forms decode to the same value.
 * Fixed seeds; a few hundred small cases.
 */
class RandomRoundTripTest {

  @Test
  void forwardBackwardRequests() {
    Random rnd = new Random(20260808);
    for (int iter = 0; iter < 100; iter++) {
      ForwardBackwardRequest r = request(rnd);
      ForwardBackwardRequest viaJson = WireJson.read(WireJson.write(r), ForwardBackwardRequest.class);
      ForwardBackwardRequest viaProto = WireProto.decodeForwardBackwardRequest(WireProto.encodeForwardBackwardRequest(r));
      assertThat(viaJson).as("json #%d", iter).isEqualTo(r);
      assertThat(viaProto).as("proto #%d", iter).isEqualTo(r);
      assertThat(r.input().problems()).isEmpty();
    }
  }

  @Test
  void forwardBackwardOutputs() {
    Random rnd = new Random(7);
    for (int iter = 0; iter < 100; iter++) {
      int n = rnd.nextInt(5);
      boolean twoD = rnd.nextBoolean();
      int k = 1 + rnd.nextInt(3);
      List<TensorData> lps = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int len = rnd.nextInt(6);
        lps.add(twoD ? TensorData.ofFloats(floats(rnd, len * k), len, k) : TensorData.ofFloats(floats(rnd, len)));
      }
      Map<String, Double> metrics = new LinkedHashMap<>();
      metrics.put("loss:sum", rnd.nextGaussian() * 100);
      if (rnd.nextBoolean()) metrics.put("tokens:mean", (double) rnd.nextInt(1000));
      ForwardBackwardOutput out = ForwardBackwardOutput.ofLogprobs(lps, metrics);
      assertThat(WireJson.read(WireJson.write(out), ForwardBackwardOutput.class)).as("json #%d", iter).isEqualTo(out);
      assertThat(WireProto.decodeForwardBackwardOutput(WireProto.encodeForwardBackwardOutput(out))).as("proto #%d", iter).isEqualTo(out);
    }
  }

  @Test
  void sampleResponses() {
    Random rnd = new Random(11);
    for (int iter = 0; iter < 100; iter++) {
      List<SampledSequence> seqs = new ArrayList<>();
      for (int s = 0, n = 1 + rnd.nextInt(3); s < n; s++) {
        int len = rnd.nextInt(6);
        seqs.add(new SampledSequence(rnd.nextBoolean() ? StopReason.STOP : StopReason.LENGTH, ints(rnd, len),
            len == 0 && rnd.nextBoolean() ? null : logprobs(rnd, len)));
      }
      int promptLen = 1 + rnd.nextInt(5);
      float[] prompt = null;
      List<List<TokenLogprob>> topk = null;
      if (rnd.nextBoolean()) {
        prompt = logprobs(rnd, promptLen);
        prompt[0] = Float.NaN;
      }
      if (rnd.nextBoolean()) {
        int k = 1 + rnd.nextInt(3);
        topk = new ArrayList<>();
        topk.add(null);
        for (int i = 1; i < promptLen; i++) {
          List<TokenLogprob> row = new ArrayList<>();
          for (int j = 0, m = 1 + rnd.nextInt(k); j < m; j++) row.add(new TokenLogprob(1 + rnd.nextInt(50000), -rnd.nextFloat() * 10));
          topk.add(row);
        }
      }
      SampleResponse r = new SampleResponse(seqs, prompt, topk, rnd.nextInt(3));
      // An empty sequence's logprobs come back as null from protobuf (the SDK reads empty bytes as None).
      SampleResponse expectedProto = new SampleResponse(seqs.stream()
          .map(s -> s.tokens().length == 0 ? new SampledSequence(s.stopReason(), s.tokens(), null) : s).toList(), prompt, topk, r.promptCacheHitTokens());
      assertThat(WireJson.read(WireJson.write(r), SampleResponse.class)).as("json #%d", iter).isEqualTo(r);
      assertThat(WireProto.decodeSampleResponse(WireProto.encodeSampleResponse(r))).as("proto #%d", iter).isEqualTo(expectedProto);
    }
  }

  static ForwardBackwardRequest request(Random rnd) {
    List<Datum> data = new ArrayList<>();
    for (int d = 0, n = 1 + rnd.nextInt(3); d < n; d++) {
      List<ModelInputChunk> chunks = new ArrayList<>();
      int total = 0;
      for (int c = 0, m = 1 + rnd.nextInt(2); c < m; c++) {
        int len = 1 + rnd.nextInt(5);
        chunks.add(new EncodedTextChunk(ints(rnd, len)));
        total += len;
      }
      Map<String, TensorData> inputs = new LinkedHashMap<>();
      if (rnd.nextInt(4) == 0) {
        int k = 1 + rnd.nextInt(3);
        inputs.put("target_tokens", TensorData.ofLongs(longs(rnd, total * k), total, k));
        inputs.put("weights", TensorData.ofFloats(floats(rnd, total * k), total, k));
      } else {
        inputs.put("target_tokens", TensorData.ofLongs(longs(rnd, total)));
        inputs.put(rnd.nextBoolean() ? "weights" : "advantages", TensorData.ofFloats(floats(rnd, total)));
      }
      data.add(new Datum(new ModelInput(chunks), inputs));
    }
    Map<String, Double> config = rnd.nextBoolean() ? null : Map.of("clip_low_threshold", rnd.nextDouble(), "clip_high_threshold", 1 + rnd.nextDouble());
    String loss = ForwardBackwardInput.KNOWN_LOSSES.get(rnd.nextInt(ForwardBackwardInput.KNOWN_LOSSES.size()));
    return new ForwardBackwardRequest(new ForwardBackwardInput(data, loss, config, rnd.nextBoolean()), "S:train:" + rnd.nextInt(9), 1 + rnd.nextInt(1000));
  }

  static int[] ints(Random rnd, int n) {
    int[] v = new int[n];
    for (int i = 0; i < n; i++) v[i] = rnd.nextInt(200_000);
    return v;
  }

  static long[] longs(Random rnd, int n) {
    long[] v = new long[n];
    for (int i = 0; i < n; i++) v[i] = rnd.nextInt(200_000);
    return v;
  }

  static float[] floats(Random rnd, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(9) - 4));
    return v;
  }

  static float[] logprobs(Random rnd, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = -rnd.nextFloat() * 20;
    return v;
  }
}
