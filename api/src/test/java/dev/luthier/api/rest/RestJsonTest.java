package dev.luthier.api.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.luthier.api.WireFormatException;
import dev.luthier.api.ids.CheckpointKind;
import dev.luthier.api.ids.TinkerPath;
import dev.luthier.api.json.WireJson;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** §8 of the wire spec. */
class RestJsonTest {
  static final Instant T = Instant.parse("2026-08-08T12:34:56Z");

  @Test
  void checkpointShape() {
    Checkpoint c = Checkpoint.of(TinkerPath.parse("tinker://S:train:0/weights/step-1"), T, 1024L, false, null);
    JsonNode n = WireJson.readTree(WireJson.write(c));
    assertThat(n).isEqualTo(WireJson.readTree("""
        {"checkpoint_id": "weights/step-1", "checkpoint_type": "training", "time": "2026-08-08T12:34:56Z",
         "tinker_path": "tinker://S:train:0/weights/step-1", "size_bytes": 1024, "public": false}""".getBytes()));
    assertThat(WireJson.read(WireJson.write(c), Checkpoint.class)).isEqualTo(c);
    Checkpoint s = WireJson.read("""
        {"checkpoint_id": "sampler_weights/a", "checkpoint_type": "sampler", "time": "2026-08-08T12:34:56.5+02:00",
         "tinker_path": "tinker://S:train:0/sampler_weights/a", "expires_at": "2026-09-01T00:00:00Z"}""", Checkpoint.class);
    assertThat(s.checkpointType()).isEqualTo(CheckpointKind.SAMPLER_WEIGHTS);
    assertThat(s.time()).isEqualTo(Instant.parse("2026-08-08T10:34:56.5Z"));
    assertThat(s.isPublic()).isFalse();
    assertThatThrownBy(() -> WireJson.read("""
        {"checkpoint_id": "x", "checkpoint_type": "other", "time": "2026-08-08T12:34:56Z", "tinker_path": "t"}""", Checkpoint.class))
        .isInstanceOfSatisfying(WireFormatException.class, e -> assertThat(e.field()).isEqualTo("checkpoint_type"));
  }

  @Test
  void trainingRunsAndCursor() {
    Checkpoint c = Checkpoint.of(TinkerPath.parse("tinker://S:train:0/weights/a"), T, null, true, T.plusSeconds(60));
    TrainingRun run = new TrainingRun("S:train:0", "Qwen/Qwen3-8B", "tenant-1", true, false, 32, T, c, null, Map.of("k", "v"));
    TrainingRunsResponse list = new TrainingRunsResponse(List.of(run), new Cursor(0, 20, 1));
    JsonNode n = WireJson.readTree(WireJson.write(list));
    JsonNode r = n.get("training_runs").get(0);
    assertThat(r.get("training_run_id").asText()).isEqualTo("S:train:0");
    assertThat(r.get("is_lora").asBoolean()).isTrue();
    assertThat(r.has("lora")).isFalse();
    assertThat(r.get("corrupted").asBoolean()).isFalse();
    assertThat(r.get("last_request_time").asText()).isEqualTo("2026-08-08T12:34:56Z");
    assertThat(r.get("last_checkpoint").get("public").asBoolean()).isTrue();
    assertThat(r.get("last_checkpoint").get("expires_at").asText()).isEqualTo("2026-08-08T12:35:56Z");
    assertThat(r.has("last_sampler_checkpoint")).isFalse();
    assertThat(r.get("user_metadata").get("k").asText()).isEqualTo("v");
    assertThat(n.get("cursor")).isEqualTo(WireJson.readTree("{\"offset\":0,\"limit\":20,\"total_count\":1}".getBytes()));
    assertThat(WireJson.read(WireJson.write(list), TrainingRunsResponse.class)).isEqualTo(list);
    assertThat(WireJson.writeString(new CheckpointsResponse(List.of(), null))).isEqualTo("{\"checkpoints\":[]}");
  }

  @Test
  void weightsInfo() {
    WeightsInfoRequest r = WireJson.read("{\"tinker_path\": \"tinker://S:train:0/weights/a\"}", WeightsInfoRequest.class);
    assertThat(r.path().name()).isEqualTo("a");
    assertThatThrownBy(() -> new WeightsInfoRequest("tinker://nope").path()).hasMessageContaining("tinker_path");
    assertThat(WireJson.writeString(new WeightsInfoResponse("Qwen/Qwen3-8B", true, 32, true, true, false)))
        .isEqualTo("{\"base_model\":\"Qwen/Qwen3-8B\",\"is_lora\":true,\"lora_rank\":32,\"train_unembed\":true,\"train_mlp\":true,\"train_attn\":false}");
  }

  @Test
  void ttlSessionsProjectArchiveTrace() {
    assertThat(WireJson.read("{\"ttl_seconds\": 3600}", CheckpointTtlRequest.class).ttlSeconds()).isEqualTo(3600L);
    assertThat(WireJson.read("{\"ttl_seconds\": null}", CheckpointTtlRequest.class).ttlSeconds()).isNull();
    assertThat(WireJson.read("{\"ttl_seconds\": 0}", CheckpointTtlRequest.class).valid()).isFalse();
    assertThat(WireJson.writeString(new SessionsResponse(List.of("S1", "S2")))).isEqualTo("{\"sessions\":[\"S1\",\"S2\"]}");
    assertThat(WireJson.writeString(new SessionResponse(List.of("S1:train:0"), List.of("S1:sample:0"))))
        .isEqualTo("{\"training_run_ids\":[\"S1:train:0\"],\"sampler_ids\":[\"S1:sample:0\"]}");
    assertThat(WireJson.read("{\"project_id\": \"p\"}", SetProjectRequest.class).projectId()).isEqualTo("p");
    assertThat(WireJson.writeString(new ArchiveUrlResponse("http://127.0.0.1/a.tar", T)))
        .isEqualTo("{\"url\":\"http://127.0.0.1/a.tar\",\"expires\":\"2026-08-08T12:34:56Z\"}");
    assertThat(WireJson.writeString(new TraceExportResponse("pending", null, null))).isEqualTo("{\"status\":\"pending\"}");
  }

  @Test
  void auditAndUsage() {
    AuditLogResponse audit = new AuditLogResponse(List.of(new AuditLogEntry(T, "checkpoint_saved", "S:train:0", "tinker://S:train:0/weights/a", null)));
    assertThat(WireJson.read(WireJson.write(audit), AuditLogResponse.class)).isEqualTo(audit);
    UsageEventsResponse usage = new UsageEventsResponse(List.of(
        new BillingUsageEvent(T, T.plusSeconds(3600), "Qwen/Qwen3-8B", "u", null, "S", null, new UsageEventInfo.Training(1000)),
        new BillingUsageEvent(T, T.plusSeconds(3600), null, null, null, "S", null, new UsageEventInfo.SamplingPrefill(true, 50)),
        new BillingUsageEvent(T, T.plusSeconds(3600), null, null, null, null, null, new UsageEventInfo.Storage(0.25))),
        Map.of("S", new UsageEventsResponse.SessionUsage(Map.of("team", "a"))));
    JsonNode n = WireJson.readTree(WireJson.write(usage));
    assertThat(n.get("data").get(0).get("event_info")).isEqualTo(WireJson.readTree("{\"type\":\"training\",\"token_count\":1000}".getBytes()));
    assertThat(n.get("data").get(1).get("event_info")).isEqualTo(WireJson.readTree("{\"type\":\"sampling_prefill\",\"cached\":true,\"token_count\":50}".getBytes()));
    assertThat(n.get("data").get(2).get("event_info")).isEqualTo(WireJson.readTree("{\"type\":\"storage\",\"gigabyte_hours\":0.25}".getBytes()));
    assertThat(WireJson.read(WireJson.write(usage), UsageEventsResponse.class)).isEqualTo(usage);
    assertThat(WireJson.writeString(new UsageEventInfo.Checkpoint(2))).isEqualTo("{\"type\":\"checkpoint\",\"count\":2}");
    assertThat(WireJson.writeString(new UsageEventInfo.SamplingSample(9))).isEqualTo("{\"type\":\"sampling_sample\",\"token_count\":9}");
  }
}
