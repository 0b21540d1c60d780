package dev.luthier.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RestRoutesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(HttpResponse<byte[]> r) throws Exception {
        return JSON.readTree(r.body());
    }

    private static JsonNode result(TestServer s, HttpResponse<byte[]> submit) throws Exception {
        String id = json(submit).get("request_id").asText();
        for (int i = 0; i < 100; i++) {
            HttpResponse<byte[]> r = s.post("retrieve_future", "{\"request_id\": \"" + id + "\"}");
            if (r.statusCode() != 408) {
                return json(r);
            }
        }
        throw new AssertionError("never finished");
    }

    private static HttpResponse<byte[]> method(TestServer s, String method, String path, String body) throws Exception {
        return s.send(HttpRequest.newBuilder(URI.create(s.base + path)).header("X-API-Key", TestServer.KEY)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build());
    }

    @Test
    void runsCheckpointsPublishTtlWeightsInfoArchiveAndDelete(@TempDir Path dir) throws Exception {
        try (TestServer s = new TestServer(dir)) {
            String session = json(s.post("create_session", "{\"tags\": [\"t\"], \"sdk_version\": \"0.24.1\"}")).get("session_id").asText();
            String model = result(s, s.post("create_model", "{\"session_id\": \"" + session + "\", \"model_seq_id\": 0,"
                    + " \"base_model\": \"tiny\", \"lora_config\": {\"rank\": 4, \"train_unembed\": false}}")).get("model_id").asText();
            String training = result(s, s.post("save_weights", "{\"model_id\": \"" + model + "\", \"path\": \"w1\", \"seq_id\": 1}")).get("path").asText();
            String sampler = result(s, s.post("save_weights_for_sampler", "{\"model_id\": \"" + model + "\", \"path\": \"s1\", \"seq_id\": 2}")).get("path").asText();

            JsonNode runs = json(s.get("training_runs?limit=10&offset=0&access_scope=owned"));
            assertThat(runs.get("training_runs").get(0).get("training_run_id").asText()).isEqualTo(model);
            assertThat(runs.get("training_runs").get(0).get("lora_rank").asInt()).isEqualTo(4);
            assertThat(runs.get("training_runs").get(0).get("last_checkpoint").get("tinker_path").asText()).isEqualTo(training);
            assertThat(runs.get("cursor").get("total_count").asInt()).isEqualTo(1);

            JsonNode cps = json(s.get("training_runs/" + model + "/checkpoints"));
            List<String> ids = new ArrayList<>();
            cps.get("checkpoints").forEach(c -> ids.add(c.get("checkpoint_id").asText()));
            assertThat(ids).containsExactlyInAnyOrder("weights/w1", "sampler_weights/s1");

            JsonNode info = json(s.post("weights_info", "{\"tinker_path\": \"" + training + "\"}"));
            assertThat(info.get("base_model").asText()).isEqualTo("tiny");
            assertThat(info.get("lora_rank").asInt()).isEqualTo(4);
            assertThat(info.get("train_unembed").asBoolean()).isFalse();
            assertThat(json(s.post("weights_info", "{\"tinker_path\": \"" + sampler + "\"}")).get("train_mlp").asBoolean()).isTrue();

            assertThat(method(s, "POST", "training_runs/" + model + "/checkpoints/weights/w1/publish", null).statusCode()).isEqualTo(204);
            assertThat(method(s, "POST", "training_runs/" + model + "/checkpoints/weights/w1/publish", null).statusCode()).isEqualTo(400);
            assertThat(method(s, "PUT", "training_runs/" + model + "/checkpoints/weights/w1/ttl", "{\"ttl_seconds\": 3600}").statusCode()).isEqualTo(204);
            assertThat(method(s, "PUT", "training_runs/" + model + "/checkpoints/weights/w1/ttl", "{\"ttl_seconds\": 0}").statusCode()).isEqualTo(400);
            JsonNode published = json(s.get("checkpoints?limit=100&offset=0"));
            JsonNode w1 = null;
            for (JsonNode c : published.get("checkpoints")) {
                if (c.get("checkpoint_id").asText().equals("weights/w1")) {
                    w1 = c;
                }
            }
            assertThat(w1).isNotNull();
            assertThat(w1.get("public").asBoolean()).isTrue();
            assertThat(w1.get("expires_at").isNull()).isFalse();

            assertThat(method(s, "DELETE", "training_runs/" + model + "/checkpoints/weights/w1/publish", null).statusCode()).isEqualTo(204);
            assertThat(method(s, "POST", "training_runs/" + model + "/checkpoints/weights/w1/publish", null).statusCode()).isEqualTo(204);

            JsonNode link = json(s.get("training_runs/" + model + "/checkpoints/sampler_weights/s1/archive"));
            String url = link.get("url").asText();
            HttpResponse<byte[]> archive = s.send(HttpRequest.newBuilder(URI.create(url)).GET().build());
            assertThat(archive.statusCode()).isEqualTo(200);
            List<String> entries = new ArrayList<>();
            try (TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(new ByteArrayInputStream(archive.body())))) {
                TarArchiveEntry e;
                while ((e = tar.getNextEntry()) != null) {
                    entries.add(e.getName());
                }
            }
            assertThat(entries).contains("s1/adapter_model.safetensors", "s1/adapter_config.json");
            String tampered = url.substring(0, url.length() - 2) + (url.endsWith("AA") ? "BB" : "AA");
            assertThat(s.send(HttpRequest.newBuilder(URI.create(tampered)).GET().build()).statusCode()).isEqualTo(403);

            JsonNode trace = json(s.get("sessions/" + session + "/trace_export"));
            assertThat(trace.get("status").asText()).isEqualTo("failed");
            assertThat(trace.get("error").asText()).contains("not supported");
            JsonNode sessionInfo = json(s.get("sessions/" + session));
            assertThat(sessionInfo.get("training_run_ids").get(0).asText()).isEqualTo(model);
            assertThat(json(s.get("sessions")).get("sessions").toString()).contains(session);

            assertThat(method(s, "DELETE", "training_runs/" + model + "/checkpoints/sampler_weights/s1", null).statusCode()).isEqualTo(204);
            assertThat(json(s.get("training_runs/" + model + "/checkpoints")).get("checkpoints")).hasSize(1);
            assertThat(method(s, "DELETE", "training_runs/" + model + "/checkpoints/sampler_weights/s1", null).statusCode()).isEqualTo(404);
            assertThat(s.get("training_runs/nope:train:9").statusCode()).isEqualTo(404);
        }
    }
}
