package dev.luthier.api.proto;

import static dev.luthier.api.proto.ForwardBackwardRequestProtoTest.f32;
import static dev.luthier.api.proto.ForwardBackwardRequestProtoTest.i32;
import static dev.luthier.api.proto.ForwardBackwardRequestProtoTest.i64;
import static dev.luthier.api.proto.ForwardBackwardRequestProtoTest.m;
import static org.assertj.core.api.Assertions.assertThat;

import dev.luthier.api.proto.ForwardBackwardRequestProtoTest.Msg;
import dev.luthier.api.tensor.TensorData;
import dev.luthier.api.training.ForwardBackwardOutput;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The client direction of ForwardBackwardOutput, on bytes built by hand: the cases of the SDK's
 * own response tests (ragged records, widening, num_datums without fields, empty output).
 */
class OutputDecodingTest {

  static Msg record(String tag, long numDatums, String field, Msg batched) throws IOException {
    Msg r = m().str(1, tag).int32(3, (int) numDatums);
    return field == null ? r : r.msg(2, m().str(1, field).msg(2, batched));
  }

  static Msg batched(byte[] data, long[] offsets, int dtype, long... trailing) throws IOException {
    Msg b = m().raw(1, data).raw(2, i64(offsets)).int32(3, dtype);
    return trailing.length == 0 ? b : b.packed(4, trailing);
  }

  @Test
  void raggedRecordsKeepTheirOwnTrailingShapes() throws IOException {
    // record 1: two datums of shape (2,2) and (1,2); record 2: one datum of shape (2,3)
    byte[] body = m().str(1, "TorchLossReturn")
        .msg(2, record("TorchLossReturn", 2, "logprobs", batched(f32(0, 1, 2, 3, 4, 5), new long[] {0, 16, 24}, 1, 2)))
        .msg(2, record("TorchLossReturn", 1, "logprobs", batched(f32(6, 7, 8, 9, 10, 11), new long[] {0, 24}, 1, 3)))
        .msg(3, m().str(1, "loss:sum").dbl(2, 1.5)).build();
    ForwardBackwardOutput out = WireProto.decodeForwardBackwardOutput(body);
    assertThat(out.lossFnOutputType()).isEqualTo("TorchLossReturn");
    assertThat(out.metrics()).containsExactly(Map.entry("loss:sum", 1.5));
    assertThat(out.lossFnOutputs()).extracting(d -> d.get("logprobs")).containsExactly(
        TensorData.ofFloats(new float[] {0, 1, 2, 3}, 2, 2),
        TensorData.ofFloats(new float[] {4, 5}, 1, 2),
        TensorData.ofFloats(new float[] {6, 7, 8, 9, 10, 11}, 2, 3));
  }

  @Test
  void widensInt32AndBfloat16() throws IOException {
    byte[] bf16 = {(byte) 0x80, 0x3f, 0x40, (byte) 0xc0}; // 1.0, -3.0
    byte[] body = m().str(1, "ArrayRecord")
        .msg(2, m().int32(3, 2)
            .msg(2, m().str(1, "ids").msg(2, batched(i32(7, -8), new long[] {0, 4, 8}, 3)))
            .msg(2, m().str(1, "logprobs").msg(2, batched(bf16, new long[] {0, 2, 4}, 4))))
        .build();
    ForwardBackwardOutput out = WireProto.decodeForwardBackwardOutput(body);
    assertThat(out.lossFnOutputs()).hasSize(2);
    assertThat(out.lossFnOutputs().get(0).get("ids")).isEqualTo(TensorData.ofLongs(new long[] {7}));
    assertThat(out.lossFnOutputs().get(1).get("ids")).isEqualTo(TensorData.ofLongs(new long[] {-8}));
    assertThat(out.lossFnOutputs().get(0).get("logprobs")).isEqualTo(TensorData.ofFloats(new float[] {1f}));
    assertThat(out.lossFnOutputs().get(1).get("logprobs")).isEqualTo(TensorData.ofFloats(new float[] {-3f}));
  }

  @Test
  void numDatumsWithoutFieldsGivesEmptyDatums() throws IOException {
    byte[] body = m().str(1, "TorchLossReturn").msg(2, record("TorchLossReturn", 3, null, null)).build();
    ForwardBackwardOutput out = WireProto.decodeForwardBackwardOutput(body);
    assertThat(out.lossFnOutputs()).hasSize(3).allSatisfy(d -> assertThat(d).isEmpty());
  }

  @Test
  void noRecordsMeansArrayRecordAndNoOutputs() throws IOException {
    ForwardBackwardOutput out = WireProto.decodeForwardBackwardOutput(m().msg(3, m().str(1, "loss:sum").dbl(2, 0)).build());
    assertThat(out.lossFnOutputType()).isEqualTo("ArrayRecord");
    assertThat(out.lossFnOutputs()).isEmpty();
  }

  @Test
  void typeIsShownAfterTheLastColon() throws IOException {
    byte[] body = m().str(1, "pkg.mod:Inner:ArrayRecord")
        .msg(2, record("x", 1, "logprobs", batched(f32(-1), new long[] {0, 4}, 1))).build();
    assertThat(WireProto.decodeForwardBackwardOutput(body).lossFnOutputType()).isEqualTo("ArrayRecord");
  }
}
