package dev.luthier.api.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.luthier.api.WireFormatException;
import dev.luthier.api.json.WireJson;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** §9.1–9.2 of the wire spec. */
class ChunkJsonTest {

  @Test
  void allChunkTypes() {
    byte[] png = {(byte) 0x89, 'P', 'N', 'G', 0, 1};
    byte[] dmel = {(byte) 254, 1, 2, 7, 80}; // constant marker, dtype 1, 2 dims: 7 x 80
    String json = """
        {"chunks": [
          {"type": "encoded_text", "tokens": [1, 2]},
          {"type": "image", "data": "%s", "format": "png", "expected_tokens": 16},
          {"type": "image_asset_pointer", "location": "/tmp/cat.jpeg", "format": "jpeg"},
          {"type": "dmel", "dmel": "%s"}]}""".formatted(Base64.getEncoder().encodeToString(png), Base64.getEncoder().encodeToString(dmel));
    ModelInput in = WireJson.read(json, ModelInput.class);
    assertThat(in.chunks()).containsExactly(
        new EncodedTextChunk(new int[] {1, 2}),
        new ImageChunk(png, "png", 16),
        new ImageAssetPointerChunk("/tmp/cat.jpeg", "jpeg", null),
        new DmelChunk(dmel));
    assertThat(in.chunks().get(0).length()).hasValue(2);
    assertThat(in.chunks().get(1).length()).hasValue(16);
    assertThat(in.chunks().get(2).length()).isEmpty();
    assertThat(in.chunks().get(3).length()).hasValue(7);
    assertThat(in.length()).isEmpty();
    assertThat(in.textOnly()).isFalse();
    assertThatThrownBy(in::tokens).isInstanceOf(IllegalStateException.class);
    assertThat(WireJson.read(WireJson.write(in), ModelInput.class)).isEqualTo(in);
    assertThat(WireJson.readTree(WireJson.write(in))).isEqualTo(WireJson.readTree(json.getBytes()));
  }

  @Test
  void largeImagesPassJacksonsDefaultStringLimit() {
    byte[] image = new byte[16 << 20]; // 16 MiB → 22 M base64 characters, above Jackson's default 20 M
    image[7] = 42;
    String json = "{\"chunks\": [{\"type\": \"image\", \"format\": \"png\", \"data\": \"" + Base64.getEncoder().encodeToString(image) + "\"}]}";
    ModelInput in = WireJson.read(json, ModelInput.class);
    assertThat(((ImageChunk) in.chunks().get(0)).data()).hasSize(16 << 20).contains((byte) 42);
  }

  @Test
  void chunkErrors() {
    assertError("{\"chunks\": [{\"type\": \"encoded_text\"}]}", "chunks[0].tokens", "missing");
    assertError("{\"chunks\": [{\"type\": \"image\", \"data\": \"!!notbase64\", \"format\": \"png\"}]}", "chunks[0].data", "");
    assertError("{\"chunks\": [{\"type\": \"image\", \"data\": \"AAAA\"}]}", "chunks[0].format", "missing");
    assertError("{\"chunks\": [{\"type\": \"audio\", \"tokens\": []}]}", "chunks[0]", "audio");
    assertError("{\"chunks\": [{\"tokens\": [1]}]}", "chunks[0]", "type");
    assertError("{\"chunks\": [null]}", "chunks[0]", "");
    assertError("{}", "chunks", "missing");
    assertError("{\"chunks\": [{\"type\": \"encoded_text\", \"tokens\": [1.0]}]}", "chunks[0].tokens[0]", "");
  }

  @Test
  void dmelHeaderErrors() {
    assertThatThrownBy(() -> new DmelChunk(new byte[0]).length()).hasMessageContaining("empty");
    assertThatThrownBy(() -> new DmelChunk(new byte[] {9, 1, 1}).length()).hasMessageContaining("dtype byte");
    assertThatThrownBy(() -> new DmelChunk(new byte[] {1, 2, 5}).length()).hasMessageContaining("truncated");
    assertThatThrownBy(() -> new DmelChunk(new byte[] {1, 0}).length()).hasMessageContaining("no dimension 0");
    assertThat(new DmelChunk(new byte[] {1, 1, (byte) 0xac, 0x02}).length()).hasValue(300); // varint 300
  }

  @Test
  void datumShapeProblems() {
    Datum ok = new Datum(ModelInput.ofTokens(1, 2, 3), Map.of("weights", dev.luthier.api.tensor.TensorData.ofFloats(new float[] {1, 1, 1})));
    assertThat(ok.shapeProblem()).isEmpty();
    assertThat(ok.input("weights")).isPresent();
    assertThat(ok.input("advantages")).isEmpty();
    Datum bad = new Datum(ModelInput.ofTokens(1, 2, 3), Map.of("weights", dev.luthier.api.tensor.TensorData.ofFloats(new float[] {1, 1})));
    assertThat(bad.shapeProblem()).hasValueSatisfying(p -> assertThat(p).contains("leading dimension 2").contains("3 positions"));
    Datum image = new Datum(new ModelInput(List.of(new ImageAssetPointerChunk("x", "png", null))),
        Map.of("weights", dev.luthier.api.tensor.TensorData.ofFloats(new float[] {1})));
    assertThat(image.shapeProblem()).isEmpty(); // length unknown: the server computes it
  }

  static void assertError(String json, String field, String reasonPart) {
    assertThatThrownBy(() -> WireJson.read(json, ModelInput.class))
        .isInstanceOfSatisfying(WireFormatException.class, e -> {
          assertThat(e.field()).as(e.getMessage()).isEqualTo(field);
          assertThat(e.reason()).as(e.getMessage()).contains(reasonPart);
        });
  }
}
