package dev.luthier.api.proto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.CodedOutputStream;
import dev.luthier.api.WireFormatException;
import dev.luthier.api.input.DmelChunk;
import dev.luthier.api.input.EncodedTextChunk;
import dev.luthier.api.input.ImageChunk;
import dev.luthier.api.json.WireJson;
import dev.luthier.api.tensor.TensorData;
import dev.luthier.api.training.ForwardBackwardRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Builds ForwardBackwardRequest bytes by hand from the schema's field numbers (an encoder
 * independent of WireProto) and checks what WireProto decodes.
 */
public class ForwardBackwardRequestProtoTest {

  /** A message under construction: an independent, minimal protobuf writer for tests. */
  static final class Msg {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final CodedOutputStream out = CodedOutputStream.newInstance(bytes);

    Msg str(int f, String v) throws IOException {
      out.writeString(f, v);
      return this;
    }

    Msg raw(int f, byte[] v) throws IOException {
      out.writeByteArray(f, v);
      return this;
    }

    Msg int32(int f, int v) throws IOException {
      out.writeInt32(f, v);
      return this;
    }

    Msg dbl(int f, double v) throws IOException {
      out.writeDouble(f, v);
      return this;
    }

    Msg msg(int f, Msg m) throws IOException {
      return raw(f, m.build());
    }

    Msg packed(int f, long... v) throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      CodedOutputStream o = CodedOutputStream.newInstance(b);
      for (long x : v) o.writeInt64NoTag(x);
      o.flush();
      return raw(f, b.toByteArray());
    }

    Msg unpacked(int f, long... v) throws IOException {
      for (long x : v) out.writeInt64(f, x);
      return this;
    }

    byte[] build() throws IOException {
      out.flush();
      return bytes.toByteArray();
    }
  }

  static Msg m() {
    return new Msg();
  }

  static byte[] i32(int... v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int x : v) b.putInt(x);
    return b.array();
  }

  static byte[] i64(long... v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (long x : v) b.putLong(x);
    return b.array();
  }

  static byte[] f32(float... v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float x : v) b.putFloat(x);
    return b.array();
  }

  static Msg textChunk(int... tokens) throws IOException {
    return m().msg(1, m().raw(1, i32(tokens)));
  }

  static Msg dense(int dtype, byte[] data, long... shape) throws IOException {
    Msg t = m().raw(1, data).int32(3, dtype);
    return shape.length == 0 ? t : t.packed(4, shape);
  }

  static Msg entry(String key, Msg value) throws IOException {
    return m().str(1, key).msg(2, value);
  }

  /** The spec's JSON example, as 0.25.0 would send it in protobuf. */
  public static byte[] specExample() throws IOException {
    Msg datum = m().msg(1, textChunk(1, 2, 3))
        .msg(2, entry("target_tokens", dense(2, i64(2, 3, 4), 3)))
        .msg(2, entry("weights", dense(1, f32(0f, 1f, 1f), 3)));
    return m().str(1, "S:train:0").int32(2, 1).msg(3, datum).str(4, "cross_entropy")
        .msg(5, m().str(1, "clip_low_threshold").dbl(2, 0.8)).build();
  }

  @Test
  void decodesTheSpecExampleLikeItsJsonForm() throws IOException {
    ForwardBackwardRequest fromProto = WireProto.decodeForwardBackwardRequest(specExample());
    ForwardBackwardRequest fromJson = WireJson.read(dev.luthier.api.training.TrainingJsonTest.FORWARD_BACKWARD, ForwardBackwardRequest.class);
    assertThat(fromProto).isEqualTo(fromJson);
    assertThat(fromProto.input().forwardOnly()).isFalse();
  }

  @Test
  void decodesForwardOnlyAndMultipleDatumsAndConfig() throws IOException {
    Msg d1 = m().msg(1, textChunk(10, 11)).msg(1, textChunk(12))
        .msg(2, entry("target_tokens", dense(2, i64(11, 12, 13))))
        .msg(2, entry("advantages", dense(1, f32(0.5f, -0.5f, 2f), 3)));
    Msg d2 = m().msg(1, textChunk(7)).msg(2, entry("target_tokens", dense(2, i64(8), 1)));
    byte[] body = m().str(1, "S:train:3").int32(2, 17).msg(3, d1).msg(3, d2).str(4, "ppo")
        .msg(5, m().str(1, "clip_low_threshold").dbl(2, 0.7))
        .msg(5, m().str(1, "clip_high_threshold").dbl(2, 1.3))
        .int32(6, 1).build();
    ForwardBackwardRequest r = WireProto.decodeForwardBackwardRequest(body);
    assertThat(r.modelId()).isEqualTo("S:train:3");
    assertThat(r.seqId()).isEqualTo(17);
    assertThat(r.input().lossFn()).isEqualTo("ppo");
    assertThat(r.input().forwardOnly()).isTrue();
    assertThat(r.input().lossFnConfig()).containsExactly(
        java.util.Map.entry("clip_low_threshold", 0.7), java.util.Map.entry("clip_high_threshold", 1.3));
    assertThat(r.input().data()).hasSize(2);
    var first = r.input().data().get(0);
    assertThat(first.modelInput().tokens()).containsExactly(10, 11, 12);
    assertThat(first.lossFnInputs().get("target_tokens")).isEqualTo(TensorData.ofLongs(new long[] {11, 12, 13}, 3));
    assertThat(first.lossFnInputs().get("advantages")).isEqualTo(TensorData.ofFloats(new float[] {0.5f, -0.5f, 2f}, 3));
    assertThat(r.input().data().get(1).modelInput().chunks()).containsExactly(new EncodedTextChunk(new int[] {7}));
    assertThat(r.input().problems()).isEmpty();
  }

  @Test
  void decodesTwoDimensionalDenseAndUnpackedShape() throws IOException {
    Msg tensor = m().raw(1, i64(1, 2, 3, 4, 5, 6)).int32(3, 2).unpacked(4, 3, 2);
    byte[] body = m().str(1, "M").int32(2, 1).msg(3, m().msg(1, textChunk(1, 2, 3)).msg(2, entry("target_tokens", tensor)))
        .str(4, "cross_entropy").build();
    TensorData t = WireProto.decodeForwardBackwardRequest(body).input().data().get(0).lossFnInputs().get("target_tokens");
    assertThat(t.shape()).containsExactly(3, 2);
    assertThat(t.longs()).containsExactly(1, 2, 3, 4, 5, 6);
  }

  @Test
  void densifiesSparseCsr() throws IOException {
    // [[0.5, 0, 0.25], [0, 0, 0], [0, 1.0, 0]]
    Msg csr = m().raw(1, f32(0.5f, 0.25f, 1f)).raw(2, i64(0, 2, 2, 3)).raw(3, i64(0, 2, 1));
    Msg tensor = m().msg(2, csr).int32(3, 1).packed(4, 3, 3);
    Msg targets = m().msg(2, m().raw(1, i64(5, 6, 7)).raw(2, i64(0, 2, 2, 3)).raw(3, i64(0, 2, 1))).int32(3, 2).packed(4, 3, 3);
    byte[] body = m().str(1, "M").int32(2, 1)
        .msg(3, m().msg(1, textChunk(1, 2, 3)).msg(2, entry("weights", tensor)).msg(2, entry("target_tokens", targets)))
        .str(4, "cross_entropy").build();
    var inputs = WireProto.decodeForwardBackwardRequest(body).input().data().get(0).lossFnInputs();
    assertThat(inputs.get("weights").floats()).containsExactly(0.5f, 0, 0.25f, 0, 0, 0, 0, 1f, 0);
    assertThat(inputs.get("weights").shape()).containsExactly(3, 3);
    assertThat(inputs.get("target_tokens").longs()).containsExactly(5, 0, 6, 0, 0, 0, 0, 7, 0);
  }

  @Test
  void widensInt32AndBfloat16() throws IOException {
    byte[] bf16 = {(byte) 0x80, 0x3f, 0x00, (byte) 0xc0}; // 1.0, -2.0 as bfloat16 LE
    byte[] body = m().str(1, "M").int32(2, 1)
        .msg(3, m().msg(1, textChunk(1, 2))
            .msg(2, entry("target_tokens", dense(3, i32(9, -1))))
            .msg(2, entry("weights", dense(4, bf16))))
        .str(4, "cross_entropy").build();
    var inputs = WireProto.decodeForwardBackwardRequest(body).input().data().get(0).lossFnInputs();
    assertThat(inputs.get("target_tokens")).isEqualTo(TensorData.ofLongs(new long[] {9, -1}));
    assertThat(inputs.get("weights")).isEqualTo(TensorData.ofFloats(new float[] {1f, -2f}));
  }

  @Test
  void decodesImageAndDmelChunks() throws IOException {
    byte[] png = {(byte) 0x89, 'P', 'N', 'G'};
    byte[] dmel = {1, 2, 5, 80}; // dtype 1, ndim 2, dims 5 x 80
    Msg datum = m().msg(1, m().msg(2, m().raw(1, png).str(2, "png").int32(3, 4)))
        .msg(1, m().msg(3, m().raw(1, dmel)))
        .msg(1, textChunk(3));
    byte[] body = m().str(1, "M").int32(2, 2).msg(3, datum).str(4, "cross_entropy").build();
    var chunks = WireProto.decodeForwardBackwardRequest(body).input().data().get(0).modelInput().chunks();
    assertThat(chunks.get(0)).isEqualTo(new ImageChunk(png, "png", 4));
    assertThat(chunks.get(1)).isEqualTo(new DmelChunk(dmel));
    assertThat(((DmelChunk) chunks.get(1)).shape()).containsExactly(5, 80);
    assertThat(chunks.get(1).length()).hasValue(5);
    assertThat(WireProto.decodeForwardBackwardRequest(body).input().data().get(0).modelInput().length()).hasValue(4 + 5 + 1);
  }

  @Test
  void skipsUnknownFieldsAndMismatchedWireTypes() throws IOException {
    Msg datum = m().msg(1, textChunk(1, 2, 3).int32(9, 42))
        .msg(2, entry("target_tokens", dense(2, i64(2, 3, 4), 3).str(15, "future")))
        .msg(2, entry("weights", dense(1, f32(0f, 1f, 1f), 3)))
        .dbl(7, 1.5);
    Msg top = m().str(1, "S:train:0").int32(2, 1).msg(3, datum).str(4, "cross_entropy")
        .msg(5, m().str(1, "clip_low_threshold").dbl(2, 0.8).str(3, "x"))
        .str(99, "a field from the future").int32(100, 7).dbl(101, 2.0)
        .raw(2, new byte[] {1, 2}); // seq_id with the wrong wire type: skipped as generated code does
    top.out.writeFixed32(102, 5);
    ForwardBackwardRequest r = WireProto.decodeForwardBackwardRequest(top.build());
    ForwardBackwardRequest expected = WireProto.decodeForwardBackwardRequest(specExample());
    assertThat(r).isEqualTo(expected);
  }

  @Test
  void malformedBytesAreWireFormatErrors() throws IOException {
    byte[] good = specExample();
    assertThatThrownBy(() -> WireProto.decodeForwardBackwardRequest(java.util.Arrays.copyOf(good, good.length - 5)))
        .isInstanceOf(WireFormatException.class);
    assertThatThrownBy(() -> WireProto.decodeForwardBackwardRequest(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff}))
        .isInstanceOf(WireFormatException.class);
    assertThatThrownBy(() -> WireProto.decodeForwardBackwardRequest(new byte[] {0x0a, 0x7f, 'a'}))
        .isInstanceOf(WireFormatException.class);
    assertThatThrownBy(() -> WireProto.decodeForwardBackwardRequest(new byte[] {0, 0}))
        .isInstanceOf(WireFormatException.class);
    assertThatThrownBy(() -> WireProto.decodeForwardBackwardRequest(null)).isInstanceOf(WireFormatException.class);
  }

  @Test
  void badContentNamesTheField() throws IOException {
    assertFieldError(datumWith(entry("weights", dense(1, new byte[] {1, 2, 3}, 1))), "data[0].loss_fn_inputs.weights.dense", "whole number");
    assertFieldError(datumWith(entry("weights", dense(1, f32(1f, Float.NaN), 2))), "data[0].loss_fn_inputs.weights.dense[1]", "finite");
    assertFieldError(datumWith(entry("weights", dense(1, f32(1f, 2f), 3))), "data[0].loss_fn_inputs.weights.shape", "holds 3 elements");
    assertFieldError(datumWith(entry("weights", dense(0, f32(1f), 1))), "data[0].loss_fn_inputs.weights.dtype", "DTYPE_UNSPECIFIED");
    assertFieldError(datumWith(entry("weights", m().msg(2, m().raw(1, f32(1f)).raw(2, i64(0, 1)).raw(3, i64(5))).int32(3, 1).packed(4, 1, 2))),
        "data[0].loss_fn_inputs.weights.sparse_csr.col_indices[0]", "outside");
    assertFieldError(m().msg(1, m().msg(1, m().raw(1, new byte[] {1, 2, 3}))), "data[0].model_input[0].encoded_text.tokens", "whole number");
    assertFieldError(m().msg(1, m()), "data[0].model_input[0]", "none of");
    byte[] noModel = m().int32(2, 1).str(4, "cross_entropy").build();
    assertThatThrownBy(() -> WireProto.decodeForwardBackwardRequest(noModel)).hasMessageContaining("model_id");
    byte[] noLoss = m().str(1, "M").int32(2, 1).build();
    assertThatThrownBy(() -> WireProto.decodeForwardBackwardRequest(noLoss)).hasMessageContaining("loss_fn");
    byte[] nanConfig = m().str(1, "M").int32(2, 1).str(4, "ppo").msg(5, m().str(1, "beta").dbl(2, Double.NaN)).build();
    assertThatThrownBy(() -> WireProto.decodeForwardBackwardRequest(nanConfig)).hasMessageContaining("loss_fn_config.beta");
  }

  @Test
  void unknownLossDecodes() throws IOException {
    byte[] body = m().str(1, "M").int32(2, 1).msg(3, m().msg(1, textChunk(1))).str(4, "no_such_loss").build();
    assertThat(WireProto.decodeForwardBackwardRequest(body).input().lossFn()).isEqualTo("no_such_loss");
  }

  @Test
  void clientDirectionRoundTrips() throws IOException {
    ForwardBackwardRequest r = WireProto.decodeForwardBackwardRequest(specExample());
    assertThat(WireProto.decodeForwardBackwardRequest(WireProto.encodeForwardBackwardRequest(r))).isEqualTo(r);
    ForwardBackwardRequest fwd = new ForwardBackwardRequest(r.input().asForwardOnly(), r.modelId(), 9);
    assertThat(WireProto.decodeForwardBackwardRequest(WireProto.encodeForwardBackwardRequest(fwd))).isEqualTo(fwd);
    var withImage = new dev.luthier.api.input.Datum(new dev.luthier.api.input.ModelInput(List.of(
        new ImageChunk(new byte[] {1, 2}, "jpeg", 0), new DmelChunk(new byte[] {0, 1, 2}), new EncodedTextChunk(new int[] {5}))),
        java.util.Map.of());
    var req = new ForwardBackwardRequest(new dev.luthier.api.training.ForwardBackwardInput(List.of(withImage), "cross_entropy", null), "M", 3);
    assertThat(WireProto.decodeForwardBackwardRequest(WireProto.encodeForwardBackwardRequest(req))).isEqualTo(req);
  }

  static Msg datumWith(Msg entry) throws IOException {
    return m().msg(1, textChunk(1)).msg(2, entry);
  }

  static void assertFieldError(Msg datum, String field, String reasonPart) throws IOException {
    byte[] body = m().str(1, "M").int32(2, 1).msg(3, datum).str(4, "cross_entropy").build();
    assertThatThrownBy(() -> WireProto.decodeForwardBackwardRequest(body))
        .isInstanceOfSatisfying(WireFormatException.class, e -> {
          assertThat(e.field()).as(e.getMessage()).isEqualTo(field);
          assertThat(e.reason()).as(e.getMessage()).contains(reasonPart);
        });
  }
}
