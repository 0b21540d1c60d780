package dev.luthier.api.proto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import dev.luthier.api.sampling.SampleResponse;
import dev.luthier.api.sampling.SampledSequence;
import dev.luthier.api.sampling.StopReason;
import dev.luthier.api.sampling.TokenLogprob;
import dev.luthier.api.tensor.TensorData;
import dev.luthier.api.training.ForwardBackwardOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Encodes ForwardBackwardOutput and SampleResponse with WireProto and reads the bytes back with
 * a decoder written here from the schema's field numbers (independent of WireProto).
 */
class ResponseProtoTest {

  /** A decoded message: field number → list of raw values (Long for varints, Double for fixed64, byte[] for LEN). */
  static Map<Integer, List<Object>> parse(byte[] bytes) throws IOException {
    Map<Integer, List<Object>> fields = new LinkedHashMap<>();
    CodedInputStream in = CodedInputStream.newInstance(bytes);
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      int n = WireFormat.getTagFieldNumber(tag);
      Object v = switch (WireFormat.getTagWireType(tag)) {
        case WireFormat.WIRETYPE_VARINT -> in.readInt64();
        case WireFormat.WIRETYPE_FIXED64 -> in.readDouble();
        case WireFormat.WIRETYPE_LENGTH_DELIMITED -> in.readByteArray();
        default -> throw new AssertionError("unexpected wire type in " + tag);
      };
      fields.computeIfAbsent(n, k -> new ArrayList<>()).add(v);
    }
    return fields;
  }

  static List<Object> all(Map<Integer, List<Object>> m, int field) {
    return m.getOrDefault(field, List.of());
  }

  static Object one(Map<Integer, List<Object>> m, int field) {
    List<Object> v = all(m, field);
    assertThat(v).as("field " + field).hasSize(1);
    return v.get(0);
  }

  static String str(Map<Integer, List<Object>> m, int field) {
    return new String((byte[]) one(m, field), java.nio.charset.StandardCharsets.UTF_8);
  }

  static long varint(Map<Integer, List<Object>> m, int field) {
    List<Object> v = all(m, field);
    return v.isEmpty() ? 0 : (Long) v.get(v.size() - 1);
  }

  static long[] packed(byte[] b) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(b);
    List<Long> out = new ArrayList<>();
    while (!in.isAtEnd()) out.add(in.readInt64());
    return out.stream().mapToLong(Long::longValue).toArray();
  }

  static float[] f32(byte[] b) {
    float[] out = new float[b.length / 4];
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
    return out;
  }

  static int[] i32(byte[] b) {
    int[] out = new int[b.length / 4];
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(out);
    return out;
  }

  static long[] i64(byte[] b) {
    long[] out = new long[b.length / 8];
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(out);
    return out;
  }

  /** map<string, X> entries: key → raw value. */
  static Map<String, Object> map(Map<Integer, List<Object>> m, int field) throws IOException {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Object e : all(m, field)) {
      Map<Integer, List<Object>> entry = parse((byte[]) e);
      out.put(str(entry, 1), one(entry, 2));
    }
    return out;
  }

  @Test
  void forwardBackwardOutputIsOneArrayRecordOfByteOffsets() throws IOException {
    ForwardBackwardOutput out = ForwardBackwardOutput.ofLogprobs(List.of(
        TensorData.ofFloats(new float[] {-0.5f, -1.25f, -3f}),
        TensorData.ofFloats(new float[] {-2f}),
        TensorData.ofFloats(new float[] {-0.125f, -7f})), new LinkedHashMap<>(Map.of("loss:sum", 12.3, "n_tokens:sum", 6.0)));
    Map<Integer, List<Object>> top = parse(WireProto.encodeForwardBackwardOutput(out));
    assertThat(str(top, 1)).isEqualTo("ArrayRecord");
    assertThat(all(top, 2)).hasSize(1);
    assertThat(map(top, 3)).containsEntry("loss:sum", 12.3).containsEntry("n_tokens:sum", 6.0).hasSize(2);

    Map<Integer, List<Object>> record = parse((byte[]) one(top, 2));
    assertThat(varint(record, 3)).isEqualTo(3); // num_datums
    Map<String, Object> fields = map(record, 2);
    assertThat(fields).containsOnlyKeys("logprobs");
    Map<Integer, List<Object>> bt = parse((byte[]) fields.get("logprobs"));
    assertThat(f32((byte[]) one(bt, 1))).containsExactly(-0.5f, -1.25f, -3f, -2f, -0.125f, -7f);
    assertThat(i64((byte[]) one(bt, 2))).containsExactly(0, 12, 16, 24); // byte offsets, n+1
    assertThat(varint(bt, 3)).isEqualTo(1); // DTYPE_FLOAT32
    assertThat(all(bt, 4)).isEmpty(); // 1-D: no trailing shape
  }

  @Test
  void twoDimensionalOutputsCarryTheirTrailingShape() throws IOException {
    ForwardBackwardOutput out = ForwardBackwardOutput.ofLogprobs(List.of(
        TensorData.ofFloats(new float[] {1, 2, 3, 4, 5, 6}, 3, 2),
        TensorData.ofFloats(new float[] {7, 8}, 1, 2)), Map.of("loss:sum", 1.0));
    Map<Integer, List<Object>> record = parse((byte[]) one(parse(WireProto.encodeForwardBackwardOutput(out)), 2));
    Map<Integer, List<Object>> bt = parse((byte[]) map(record, 2).get("logprobs"));
    assertThat(packed((byte[]) one(bt, 4))).containsExactly(2);
    assertThat(i64((byte[]) one(bt, 2))).containsExactly(0, 24, 32);
    assertThat(WireProto.decodeForwardBackwardOutput(WireProto.encodeForwardBackwardOutput(out))).isEqualTo(out);
  }

  @Test
  void int64FieldsAndSeveralFields() throws IOException {
    Map<String, TensorData> d0 = new LinkedHashMap<>();
    d0.put("logprobs", TensorData.ofFloats(new float[] {-1f, -2f}));
    d0.put("ids", TensorData.ofLongs(new long[] {1L << 40, -3}));
    Map<String, TensorData> d1 = new LinkedHashMap<>();
    d1.put("logprobs", TensorData.ofFloats(new float[] {-4f}));
    d1.put("ids", TensorData.ofLongs(new long[] {5}));
    ForwardBackwardOutput out = new ForwardBackwardOutput("ArrayRecord", List.of(d0, d1), Map.of("loss:sum", 2.0));
    Map<String, Object> fields = map(parse((byte[]) one(parse(WireProto.encodeForwardBackwardOutput(out)), 2)), 2);
    Map<Integer, List<Object>> ids = parse((byte[]) fields.get("ids"));
    assertThat(i64((byte[]) one(ids, 1))).containsExactly(1L << 40, -3, 5);
    assertThat(i64((byte[]) one(ids, 2))).containsExactly(0, 16, 24);
    assertThat(varint(ids, 3)).isEqualTo(2); // DTYPE_INT64
    assertThat(WireProto.decodeForwardBackwardOutput(WireProto.encodeForwardBackwardOutput(out))).isEqualTo(out);
  }

  @Test
  void emptyOutputHasNoRecord() throws IOException {
    ForwardBackwardOutput out = ForwardBackwardOutput.ofLogprobs(List.of(), Map.of("loss:sum", 0.0));
    Map<Integer, List<Object>> top = parse(WireProto.encodeForwardBackwardOutput(out));
    assertThat(all(top, 2)).isEmpty();
    assertThat(WireProto.decodeForwardBackwardOutput(WireProto.encodeForwardBackwardOutput(out))).isEqualTo(out);
  }

  @Test
  void unrepresentableOutputsAreRefused() {
    ForwardBackwardOutput mixedRank = ForwardBackwardOutput.ofLogprobs(List.of(
        TensorData.ofFloats(new float[] {1, 2}), TensorData.ofFloats(new float[] {1, 2, 3, 4}, 2, 2)), Map.of("loss:sum", 1.0));
    assertThatThrownBy(() -> WireProto.encodeForwardBackwardOutput(mixedRank)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("trailing shape");
    ForwardBackwardOutput mixedFields = new ForwardBackwardOutput("ArrayRecord",
        List.of(Map.of("logprobs", TensorData.ofFloats(new float[] {1})), Map.of("other", TensorData.ofFloats(new float[] {1}))),
        Map.of("loss:sum", 1.0));
    assertThatThrownBy(() -> WireProto.encodeForwardBackwardOutput(mixedFields)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void sampleResponse() throws IOException {
    SampleResponse r = new SampleResponse(List.of(
        new SampledSequence(StopReason.STOP, new int[] {5, 6, 2}, new float[] {-0.1f, -0.2f, -0.3f}),
        new SampledSequence(StopReason.LENGTH, new int[] {7, 8}, new float[] {-1f, -2f})),
        new float[] {Float.NaN, -1.5f, -2.5f},
        Arrays.asList(null, List.of(new TokenLogprob(11, -0.5f), new TokenLogprob(12, -1.5f)), List.of(new TokenLogprob(13, -0.25f))),
        4);
    Map<Integer, List<Object>> top = parse(WireProto.encodeSampleResponse(r));
    assertThat(all(top, 1)).hasSize(2);
    Map<Integer, List<Object>> s0 = parse((byte[]) all(top, 1).get(0));
    assertThat(varint(s0, 1)).isZero(); // STOP_REASON_STOP
    assertThat(i32((byte[]) one(s0, 2))).containsExactly(5, 6, 2);
    assertThat(f32((byte[]) one(s0, 3))).containsExactly(-0.1f, -0.2f, -0.3f);
    Map<Integer, List<Object>> s1 = parse((byte[]) all(top, 1).get(1));
    assertThat(varint(s1, 1)).isEqualTo(1); // STOP_REASON_LENGTH
    assertThat(i32((byte[]) one(s1, 2))).containsExactly(7, 8);

    float[] prompt = f32((byte[]) one(top, 2));
    assertThat(prompt).hasSize(3);
    assertThat(prompt[0]).isNaN();
    assertThat(prompt[1]).isEqualTo(-1.5f);

    Map<Integer, List<Object>> topk = parse((byte[]) one(top, 3));
    assertThat(varint(topk, 3)).isEqualTo(2); // k
    assertThat(varint(topk, 4)).isEqualTo(3); // prompt_length
    assertThat(i32((byte[]) one(topk, 1))).containsExactly(0, 0, 11, 12, 13, 0);
    assertThat(f32((byte[]) one(topk, 2))).containsExactly(-99999f, -99999f, -0.5f, -1.5f, -0.25f, -99999f);
    assertThat(varint(top, 4)).isEqualTo(4);

    assertThat(WireProto.decodeSampleResponse(WireProto.encodeSampleResponse(r))).isEqualTo(r);
  }

  @Test
  void sampleResponseWithoutOptionalParts() throws IOException {
    SampleResponse r = SampleResponse.of(List.of(new SampledSequence(StopReason.STOP, new int[] {1}, null)));
    Map<Integer, List<Object>> top = parse(WireProto.encodeSampleResponse(r));
    assertThat(top).containsOnlyKeys(1);
    assertThat(parse((byte[]) one(top, 1))).containsOnlyKeys(2);
    assertThat(WireProto.decodeSampleResponse(WireProto.encodeSampleResponse(r))).isEqualTo(r);
  }

  @Test
  void decodingSkipsUnknownFieldsAndRefusesGarbage() throws IOException {
    byte[] good = WireProto.encodeSampleResponse(SampleResponse.of(List.of(new SampledSequence(StopReason.LENGTH, new int[] {3, 4}, null))));
    var extra = new java.io.ByteArrayOutputStream();
    var o = com.google.protobuf.CodedOutputStream.newInstance(extra);
    o.writeString(42, "future field");
    o.writeFixed32(43, 1);
    o.flush();
    byte[] withExtra = new byte[good.length + extra.size()];
    System.arraycopy(extra.toByteArray(), 0, withExtra, 0, extra.size());
    System.arraycopy(good, 0, withExtra, extra.size(), good.length);
    assertThat(WireProto.decodeSampleResponse(withExtra)).isEqualTo(WireProto.decodeSampleResponse(good));
    assertThatThrownBy(() -> WireProto.decodeSampleResponse(Arrays.copyOf(good, good.length - 1)))
        .isInstanceOf(dev.luthier.api.WireFormatException.class);
    assertThatThrownBy(() -> WireProto.decodeForwardBackwardOutput(new byte[] {0x12, 0x05, 0x01}))
        .isInstanceOf(dev.luthier.api.WireFormatException.class);
  }
}
