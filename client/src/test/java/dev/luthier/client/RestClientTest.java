package dev.luthier.client;

import dev.luthier.api.rest.Checkpoint;
import dev.luthier.api.training.AdamParams;
import dev.luthier.client.errors.ApiException;
import dev.luthier.client.rest.RestClient;
import dev.luthier.client.training.TrainingClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The REST client against a real server on loopback. */
class RestClientTest {
    @TempDir
    static Path dir;
    static LoopbackServer server;
    static ServiceClient service;

    @BeforeAll
    static void start() throws Exception {
        server = new LoopbackServer(dir);
        service = new ServiceClient(server.options());
    }

    @AfterAll
    static void stop() {
        service.close();
        server.close();
    }

    @Test
    void listsRunsCheckpointsAndSessionsAndManagesCheckpoints() {
        RestClient rest = service.createRestClient();
        TrainingClient training = service.createLoraTrainingClient(LoopbackServer.MODEL, 4, 1L, true, true, true, Map.of("team", "red"));
        training.forwardBackward(List.of(Data.sft(1, 2, 3, 4)), "cross_entropy");
        training.optimStep(AdamParams.defaults());
        String state = training.saveState("s1").join().path();
        String sampler = training.saveWeightsForSampler("p1").join().path();

        assertThat(rest.listAllTrainingRuns()).extracting(r -> r.trainingRunId()).contains(training.modelId());
        var page = rest.listTrainingRuns(1, 0);
        assertThat(page.trainingRuns()).hasSize(1);
        assertThat(page.cursor().totalCount()).isGreaterThanOrEqualTo(1);

        var run = rest.getTrainingRun(training.modelId());
        assertThat(run.baseModel()).isEqualTo(LoopbackServer.MODEL);
        assertThat(run.loraRank()).isEqualTo(4);
        assertThat(run.userMetadata()).containsEntry("team", "red");
        assertThat(run.lastCheckpoint().tinkerPath()).isEqualTo(state);
        assertThat(run.lastSamplerCheckpoint().tinkerPath()).isEqualTo(sampler);
        assertThat(rest.getTrainingRunByTinkerPath(state).trainingRunId()).isEqualTo(training.modelId());

        List<Checkpoint> checkpoints = rest.listCheckpoints(training.modelId()).checkpoints();
        assertThat(checkpoints).extracting(Checkpoint::tinkerPath).containsExactlyInAnyOrder(state, sampler);
        assertThat(checkpoints).extracting(Checkpoint::checkpointId).containsExactlyInAnyOrder("weights/s1", "sampler_weights/p1");
        assertThat(rest.listUserCheckpoints(100, 0).checkpoints()).extracting(Checkpoint::tinkerPath).contains(state, sampler);

        var info = rest.getWeightsInfo(state);
        assertThat(info.baseModel()).isEqualTo(LoopbackServer.MODEL);
        assertThat(info.loraRank()).isEqualTo(4);

        rest.publishCheckpoint(state);
        assertThat(rest.findCheckpoint(state).orElseThrow().isPublic()).isTrue();
        assertThatThrownBy(() -> rest.publishCheckpoint(state)).isInstanceOf(ApiException.class).hasMessageContaining("already public");

        rest.setCheckpointTtl(state, 3600L);
        Instant expires = rest.findCheckpoint(state).orElseThrow().expiresAt();
        assertThat(expires).isAfter(Instant.now().plusSeconds(3000)).isBefore(Instant.now().plusSeconds(3700));
        rest.setCheckpointTtl(state, null);
        assertThat(rest.findCheckpoint(state).orElseThrow().expiresAt()).isNull();
        assertThatThrownBy(() -> rest.setCheckpointTtl(state, -1L)).isInstanceOf(ApiException.class)
                .satisfies(e -> assertThat(((ApiException) e).status()).isEqualTo(400));

        rest.deleteCheckpoint(sampler);
        assertThat(rest.findCheckpoint(sampler)).isEmpty();
        assertThat(rest.findCheckpoint(state)).isPresent();

        assertThat(rest.listSessions(100, 0).sessions()).contains(service.sessionId());
        assertThat(rest.getSession(service.sessionId()).trainingRunIds()).contains(training.modelId());
    }

    @Test
    void unpublishMakesACheckpointPrivateAgain() {
        RestClient rest = service.createRestClient();
        TrainingClient training = service.createLoraTrainingClient(LoopbackServer.MODEL, 4);
        String state = training.saveState("pub").join().path();
        rest.publishCheckpoint(state);
        rest.unpublishCheckpoint(state);
        assertThat(rest.findCheckpoint(state).orElseThrow().isPublic()).isFalse();
    }

    @Test
    void unknownRunIsA404WithTheServersMessage() {
        RestClient rest = service.createRestClient();
        assertThatThrownBy(() -> rest.getTrainingRun("nope:train:0")).isInstanceOf(ApiException.class)
                .hasMessageContaining("404").hasMessageContaining("nope:train:0");
        assertThatThrownBy(() -> rest.getWeightsInfo("not-a-path")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void restOnlyUseCreatesNoSession() {
        try (ServiceClient restOnly = new ServiceClient(server.options())) {
            int before = restOnly.createRestClient().listSessions(1000, 0).sessions().size();
            restOnly.getServerCapabilities();
            restOnly.createRestClient().listTrainingRuns(10, 0);
            assertThat(restOnly.createRestClient().listSessions(1000, 0).sessions()).hasSize(before);
        }
    }
}
