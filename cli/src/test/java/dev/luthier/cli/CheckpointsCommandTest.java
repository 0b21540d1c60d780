package dev.luthier.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.luthier.api.rest.Checkpoint;
import dev.luthier.client.ServiceClient;
import dev.luthier.client.rest.RestClient;
import dev.luthier.client.training.TrainingClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** {@code luthier runs} and {@code luthier checkpoints ...} against a real server on loopback. */
class CheckpointsCommandTest {
    private static final List<String> CHECKPOINTS = List.of("checkpoints");

    @Test
    void listPublishTtlDownloadDeleteChangeWhatTheServerReports(@TempDir Path dir) throws Exception {
        try (TinyModelServer s = new TinyModelServer(dir.resolve("server"));
             ServiceClient service = s.client()) {
            TrainingClient training = service.createLoraTrainingClient(TinyModelServer.MODEL, 4);
            String state = training.saveState("first").join().path();
            String sampler = training.saveWeightsForSampler("adapter").join().path();
            String run = training.modelId();
            RestClient rest = service.createRestClient();

            // runs: the run with its base model and rank
            var runs = s.luthier(List.of("runs"), "--json");
            assertThat(runs.code()).as(runs.err()).isZero();
            JsonNode runList = new ObjectMapper().readTree(runs.out());
            assertThat(runList).anySatisfy(r -> {
                assertThat(r.get("training_run_id").asText()).isEqualTo(run);
                assertThat(r.get("base_model").asText()).isEqualTo(TinyModelServer.MODEL);
                assertThat(r.get("lora_rank").asInt()).isEqualTo(4);
            });
            var runsTable = s.luthier(List.of("runs"));
            assertThat(runsTable.out()).contains(run).contains(TinyModelServer.MODEL);

            // list, for one run and for all runs
            var list = s.luthier(List.of("checkpoints", "list"), run, "--json");
            assertThat(list.code()).as(list.err()).isZero();
            JsonNode listed = new ObjectMapper().readTree(list.out());
            assertThat(listed.findValuesAsText("tinker_path")).containsExactlyInAnyOrder(state, sampler);
            assertThat(s.luthier(List.of("checkpoints", "list")).out()).contains(state).contains(sampler);

            // publish / unpublish, as the server's own listing reports it
            assertThat(s.luthier(List.of("checkpoints", "publish"), sampler).code()).isZero();
            assertThat(find(rest, sampler).isPublic()).isTrue();
            assertThat(s.luthier(List.of("checkpoints", "unpublish"), sampler).code()).isZero();
            assertThat(find(rest, sampler).isPublic()).isFalse();

            // ttl: an hour from now, then never
            Instant before = Instant.now();
            assertThat(s.luthier(List.of("checkpoints", "ttl"), state, "3600").code()).isZero();
            Instant expires = find(rest, state).expiresAt();
            assertThat(expires).isNotNull();
            assertThat(Duration.between(before, expires).toSeconds()).isCloseTo(3600L, within(60L));
            assertThat(s.luthier(List.of("checkpoints", "ttl"), state, "none").code()).isZero();
            assertThat(find(rest, state).expiresAt()).isNull();
            var badTtl = s.luthier(List.of("checkpoints", "ttl"), state, "-5");
            assertThat(badTtl.code()).isEqualTo(2);
            assertThat(badTtl.err()).contains("SECONDS must be positive");

            // download: the adapter's files, extracted under the checkpoint's name; its config has the run's rank
            var download = s.luthier(List.of("checkpoints", "download"), sampler, "-o", dir.resolve("out").toString());
            assertThat(download.code()).as(download.err()).isZero();
            Path config = dir.resolve("out/adapter/adapter_config.json");
            assertThat(config).exists();
            assertThat(new ObjectMapper().readTree(config.toFile()).get("r").asInt()).isEqualTo(4);
            assertThat(dir.resolve("out/adapter/adapter_model.safetensors")).exists();
            var archive = s.luthier(List.of("checkpoints", "download"), sampler, "-o", dir.resolve("tgz").toString(), "--archive");
            assertThat(archive.code()).as(archive.err()).isZero();
            byte[] gz = Files.readAllBytes(dir.resolve("tgz/adapter.tar.gz"));
            assertThat(gz[0] & 0xff).isEqualTo(0x1f); // gzip magic
            assertThat(gz[1] & 0xff).isEqualTo(0x8b);

            // delete: gone from the server's listing
            assertThat(s.luthier(List.of("checkpoints", "delete"), state).code()).isZero();
            assertThat(rest.listCheckpoints(run).checkpoints()).extracting(Checkpoint::tinkerPath).containsExactly(sampler);

            // a checkpoint the server does not have: one line, exit 2
            var missing = s.luthier(List.of("checkpoints", "delete"), state);
            assertThat(missing.code()).isEqualTo(2);
            assertThat(missing.err().strip()).startsWith("luthier: ").contains("404").doesNotContain("\n");
        }
    }

    @Test
    void anUnreachableServerIsOneLineAndExitCode2() {
        var r = TinyModelServer.run("", "checkpoints", "list", "--base-url", "http://127.0.0.1:9", "--api-key", "tml-x");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).startsWith("luthier: ").contains("127.0.0.1:9").doesNotContain("\n");
    }

    private static Checkpoint find(RestClient rest, String path) {
        return rest.findCheckpoint(path).orElseThrow();
    }
}
