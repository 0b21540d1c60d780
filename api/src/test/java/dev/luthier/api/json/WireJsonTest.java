package dev.luthier.api.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.luthier.api.WireFormatException;
import dev.luthier.api.input.ModelInput;
import dev.luthier.api.training.CreateModelRequest;
import dev.luthier.api.training.GetInfoRequest;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The mapper's rules and the wording of its errors, which servers return to users verbatim. */
class WireJsonTest {

  @Test
  void messagesSpeakJsonNotJava() {
    assertMessage("{\"chunks\": [{\"type\": \"audio\"}]}", ModelInput.class,
        "chunks[0]: unknown type \"audio\" (expected one of encoded_text, image, image_asset_pointer, dmel)");
    assertMessage("{\"chunks\": [{\"tokens\": [1]}]}", ModelInput.class,
        "chunks[0]: missing \"type\" (expected one of encoded_text, image, image_asset_pointer, dmel)");
    assertMessage("{\"chunks\": [{\"type\": \"encoded_text\", \"tokens\": [1, \"x\"]}]}", ModelInput.class,
        "chunks[0].tokens[1]: expected an integer, got a string \"x\"");
    assertMessage("{\"chunks\": [{\"type\": \"encoded_text\", \"tokens\": [1.0]}]}", ModelInput.class,
        "chunks[0].tokens[0]: expected an integer, got a float 1.0");
    assertMessage("{\"chunks\": 5}", ModelInput.class, "chunks: expected an array, got an integer");
    assertMessage("{\"session_id\":\"S\",\"model_seq_id\":\"0\",\"base_model\":\"m\"}", CreateModelRequest.class,
        "model_seq_id: expected an integer, got a string \"0\"");
    assertMessage("{\"session_id\":\"S\",\"model_seq_id\":null,\"base_model\":\"m\"}", CreateModelRequest.class,
        "model_seq_id: expected an integer, got null");
    assertMessage("{\"model_seq_id\":0,\"base_model\":\"m\"}", CreateModelRequest.class, "session_id: required field is missing");
    assertMessage("{\"model_id\": true}", GetInfoRequest.class, "model_id: expected a string, got a boolean true");
    assertThatThrownBy(() -> WireJson.read("{\"chunks\": [{\"type\": \"encoded_text\", \"tokens\": [3000000000]}]}", ModelInput.class))
        .hasMessageStartingWith("chunks[0].tokens[0]: number out of range");
  }

  @Test
  void unknownKeysAreIgnored() {
    assertThat(WireJson.read("{\"model_id\": \"m\", \"type\": \"get_info\", \"new_in_0_40\": {\"x\": [1]}}", GetInfoRequest.class).modelId())
        .isEqualTo("m");
  }

  @Test
  void neverWritesNonFiniteNumbers() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("d", Double.NaN);
    m.put("f", Float.NEGATIVE_INFINITY);
    m.put("fa", new float[] {1f, Float.NaN});
    m.put("da", new double[] {Double.POSITIVE_INFINITY, 2});
    m.put("list", Arrays.asList(Double.NaN, 1.5));
    assertThat(WireJson.writeString(m)).isEqualTo("{\"d\":null,\"f\":null,\"fa\":[1.0,null],\"da\":[null,2.0],\"list\":[null,1.5]}");
  }

  @Test
  void leavesOutNullFieldsButKeepsNullElements() {
    record R(String a, Integer b, List<String> c) {}
    assertThat(WireJson.writeString(new R(null, 1, Arrays.asList("x", null)))).isEqualTo("{\"b\":1,\"c\":[\"x\",null]}");
  }

  @Test
  void datesAreIsoUtcWithAtMostMicroseconds() {
    record D(java.time.Instant t) {}
    assertThat(WireJson.writeString(new D(java.time.Instant.parse("2026-08-08T12:34:56.123456789Z"))))
        .isEqualTo("{\"t\":\"2026-08-08T12:34:56.123456Z\"}");
    assertThat(WireJson.writeString(new D(java.time.Instant.parse("2026-08-08T12:34:56Z")))).isEqualTo("{\"t\":\"2026-08-08T12:34:56Z\"}");
    assertThat(WireJson.read("{\"t\": \"2026-08-08T14:34:56.5+02:00\"}", D.class).t()).isEqualTo(java.time.Instant.parse("2026-08-08T12:34:56.500Z"));
    assertThatThrownBy(() -> WireJson.read("{\"t\": \"yesterday\"}", D.class)).isInstanceOfSatisfying(WireFormatException.class,
        e -> assertThat(e.field()).isEqualTo("t"));
  }

  @Test
  void integersAreNumbers() {
    var in = WireJson.read("{\"data\": [], \"loss_fn\": \"dro\", \"loss_fn_config\": {\"beta\": 1}}", dev.luthier.api.training.ForwardBackwardInput.class);
    assertThat(in.lossFnConfig()).containsEntry("beta", 1.0);
    assertThat(in.config("beta", 0.1)).isEqualTo(1.0);
  }

  @Test
  void emptyObjectsForAllOptionalBodies() {
    assertThat(WireJson.read("{}", dev.luthier.api.session.SessionHeartbeatResponse.class)).isNotNull();
    assertThat(WireJson.read("{}", dev.luthier.api.session.ClientConfigResponse.class)).isEqualTo(dev.luthier.api.session.ClientConfigResponse.defaults());
    assertThat(WireJson.read("{}", dev.luthier.api.training.OptimStepResponse.class).metrics()).isNull();
  }

  @Test
  void treeHelpers() {
    var node = WireJson.readTree("{\"model_id\": \"m\"}".getBytes());
    assertThat(WireJson.convert(node, GetInfoRequest.class).modelId()).isEqualTo("m");
    assertThatThrownBy(() -> WireJson.convert(WireJson.readTree("{}".getBytes()), GetInfoRequest.class))
        .isInstanceOf(WireFormatException.class).hasMessageContaining("model_id");
    assertThatThrownBy(() -> WireJson.readTree(new byte[0])).isInstanceOf(WireFormatException.class);
    assertThatThrownBy(() -> WireJson.readTree("{".getBytes())).isInstanceOf(WireFormatException.class).hasMessageContaining("malformed JSON");
  }

  static void assertMessage(String json, Class<?> type, String message) {
    assertThatThrownBy(() -> WireJson.read(json, type)).isInstanceOf(WireFormatException.class).hasMessage(message);
  }
}
