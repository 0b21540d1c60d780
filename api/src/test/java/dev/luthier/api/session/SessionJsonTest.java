package dev.luthier.api.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.luthier.api.WireFormatException;
import dev.luthier.api.json.WireJson;
import java.util.List;
import org.junit.jupiter.api.Test;

/** §3 of the wire spec. */
class SessionJsonTest {

  @Test
  void clientConfig() {
    assertThat(WireJson.read("{\"sdk_version\": \"0.24.1\"}", ClientConfigRequest.class).sdkVersion()).isEqualTo("0.24.1");
    assertThat(WireJson.writeString(ClientConfigResponse.recommended())).isEqualTo("{\"use_pyqwest_transport\":false}");
    assertThat(WireJson.writeString(ClientConfigResponse.defaults())).isEqualTo("{}");
    ClientConfigResponse c = WireJson.read("""
        {"pjwt_auth_enabled": false, "use_pyqwest_transport": false, "parallel_fwdbwd_chunks": false,
         "proto_write_fwdbwd": true, "proto_compress_fwdbwd": true, "fwdbwd_max_chunk_len": 1024,
         "fwdbwd_max_chunk_bytes_count": 5000000, "sample_max_concurrent_requests": 2000,
         "create_model_via_load_weights": true, "some_future_flag": 3}""", ClientConfigResponse.class);
    assertThat(c.protoWriteFwdbwd()).isTrue();
    assertThat(c.fwdbwdMaxChunkLen()).isEqualTo(1024);
    assertThat(c.createModelViaLoadWeights()).isTrue();
    assertThat(WireJson.read(WireJson.write(c), ClientConfigResponse.class)).isEqualTo(c);
  }

  @Test
  void dynamicConfigAndAuth() {
    assertThat(WireJson.read("{\"sdk_version\": \"0.25.0\"}", DynamicConfigRequest.class).sdkVersion()).isEqualTo("0.25.0");
    assertThat(WireJson.writeString(new DynamicConfigResponse(300))).isEqualTo("{\"refresh_interval_sec\":300}");
    assertThat(WireJson.read("{\"jwt\": \"a.b.c\"}", AuthTokenResponse.class).jwt()).isEqualTo("a.b.c");
  }

  @Test
  void createSession() {
    CreateSessionRequest r = WireJson.read("""
        {"tags": ["a", "b"], "user_metadata": {"owner": "me", "n": 3}, "sdk_version": "0.24.1", "project_id": "p1", "type": "create_session"}""",
        CreateSessionRequest.class);
    assertThat(r.tags()).containsExactly("a", "b");
    assertThat(r.userMetadata()).containsEntry("owner", "me").containsEntry("n", 3);
    assertThat(r.projectId()).isEqualTo("p1");
    CreateSessionRequest noProject = WireJson.read("{\"tags\": [], \"user_metadata\": {}, \"sdk_version\": \"0.25.0\", \"type\": \"create_session\"}",
        CreateSessionRequest.class);
    assertThat(noProject.projectId()).isNull();
    assertThat(WireJson.readTree(WireJson.write(r)).get("type").asText()).isEqualTo("create_session");
    assertThat(WireJson.read(WireJson.write(r), CreateSessionRequest.class)).isEqualTo(r);
    assertThatThrownBy(() -> WireJson.read("{\"tags\": \"a,b\"}", CreateSessionRequest.class))
        .isInstanceOfSatisfying(WireFormatException.class, e -> assertThat(e.field()).isEqualTo("tags"));
  }

  @Test
  void createSessionResponse() {
    assertThat(WireJson.writeString(CreateSessionResponse.of("S")))
        .isEqualTo("{\"session_id\":\"S\",\"type\":\"create_session\"}");
    CreateSessionResponse warn = new CreateSessionResponse("S", null, "SDK too old", null);
    assertThat(WireJson.readTree(WireJson.write(warn)).get("warning_message").asText()).isEqualTo("SDK too old");
  }

  @Test
  void heartbeat() {
    assertThat(WireJson.read("{\"session_id\": \"S\", \"type\": \"session_heartbeat\"}", SessionHeartbeatRequest.class).sessionId())
        .isEqualTo("S");
    assertThat(WireJson.writeString(new SessionHeartbeatResponse())).isEqualTo("{\"type\":\"session_heartbeat\"}");
    assertThatThrownBy(() -> WireJson.read("{\"type\": \"session_heartbeat\"}", SessionHeartbeatRequest.class))
        .hasMessageContaining("session_id");
  }

  @Test
  void capabilitiesHealthTelemetry() {
    assertThat(WireJson.writeString(new ServerCapabilitiesResponse(List.of(new SupportedModel("Qwen/Qwen3-8B", 32768), new SupportedModel("x", null)))))
        .isEqualTo("{\"supported_models\":[{\"model_name\":\"Qwen/Qwen3-8B\",\"max_context_length\":32768},{\"model_name\":\"x\"}]}");
    assertThat(WireJson.writeString(HealthResponse.ok())).isEqualTo("{\"status\":\"ok\"}");
    assertThat(WireJson.writeString(TelemetryResponse.accepted())).isEqualTo("{\"status\":\"accepted\"}");
    TelemetryRequest t = WireJson.read("""
        {"events": [
           {"event": "SESSION_START", "event_id": "e1", "event_session_index": 0, "severity": "INFO", "timestamp": "2026-08-08T10:00:00Z"},
           {"event": "GENERIC_EVENT", "event_id": "e2", "event_session_index": 1, "severity": "DEBUG", "timestamp": "2026-08-08T10:00:01Z",
            "event_name": "fwdbwd", "event_data": {"n": 3, "ok": true}},
           {"event": "SESSION_END", "event_id": "e3", "event_session_index": 2, "severity": "INFO", "timestamp": "2026-08-08T10:00:02Z", "duration": "0:00:02"},
           {"event": "UNHANDLED_EXCEPTION", "event_id": "e4", "event_session_index": 3, "severity": "ERROR", "timestamp": "2026-08-08T10:00:03Z",
            "error_type": "ValueError", "error_message": "bad", "traceback": "..."}],
         "platform": "linux", "sdk_version": "0.24.1", "session_id": "sessionless-1", "process_uuid": "u"}""", TelemetryRequest.class);
    assertThat(t.events()).hasSize(4);
    assertThat(t.events().get(1).eventData()).containsEntry("ok", true);
    assertThat(t.events().get(3).errorType()).isEqualTo("ValueError");
    assertThat(t.sessionId()).isEqualTo("sessionless-1");
  }

  @Test
  void errorDetail() {
    assertThat(WireJson.writeString(new ErrorDetail("seq_id: required field is missing"))).isEqualTo("{\"detail\":\"seq_id: required field is missing\"}");
  }
}
