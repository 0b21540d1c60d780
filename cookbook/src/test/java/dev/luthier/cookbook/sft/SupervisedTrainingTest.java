package dev.luthier.cookbook.sft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.luthier.client.ServiceClient;
import dev.luthier.cookbook.checkpoints.CheckpointLog;
import dev.luthier.cookbook.checkpoints.CheckpointRecord;
import dev.luthier.cookbook.config.ConfigOverrides;
import dev.luthier.cookbook.renderers.Renderer;
import dev.luthier.cookbook.renderers.Renderers;
import dev.luthier.cookbook.renderers.TrainOn;
import dev.luthier.cookbook.progress.ProgressListener;
import dev.luthier.cookbook.testing.AsciiTokenizer;
import dev.luthier.cookbook.testing.TinyServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** SFT end to end against a real server on loopback over a tiny random model. */
class SupervisedTrainingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Renderer RENDERER = Renderers.create("role_colon", new AsciiTokenizer());

    @TempDir
    static Path serverDir;
    static TinyServer server;
    static ServiceClient service;

    @BeforeAll
    static void start() throws Exception {
        server = new TinyServer(serverDir);
        service = server.client();
    }

    @AfterAll
    static void stop() {
        service.close();
        server.close();
    }

    /** 12 questions that all get the same short answer: memorisable, and the held-out ones share the answer. */
    private static Path writeData(Path dir) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            sb.append("{\"messages\": [{\"role\": \"user\", \"content\": \"q").append(i)
                    .append("\"}, {\"role\": \"assistant\", \"content\": \"tea\"}]}\n");
        }
        Path f = dir.resolve("chat.jsonl");
        Files.writeString(f, sb.toString());
        return f;
    }

    private static SftConfig config(Path data, Path logDir) {
        return new SftConfig(TinyServer.MODEL, Optional.empty(), "role_colon", Optional.of(data), Optional.empty(), 4, 4,
                2e-2, ScheduleKind.CONSTANT, 0, 4, 10, Optional.of(8), 64, TrainOn.LAST_ASSISTANT_MESSAGE, 0, 4, logDir,
                3, 0, 0);
    }

    private static List<JsonNode> metrics(Path logDir) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(logDir.resolve("metrics.jsonl"))) {
            out.add(JSON.readTree(line));
        }
        return out;
    }

    private static List<JsonNode> withKey(List<JsonNode> lines, String key) {
        return lines.stream().filter(n -> n.has(key)).toList();
    }

    @Test
    void lossFallsOnAMemorisableSetAndTheRunLeavesItsLogs(@TempDir Path dir) throws Exception {
        Path logDir = dir.resolve("log");
        SftConfig config = SftConfigEdits.schedule(config(writeData(dir), logDir), ScheduleKind.LINEAR, 2);
        List<Long> progress = new ArrayList<>();
        SftResult result = new SupervisedTraining(config, RENDERER, new ProgressListener() {
            @Override
            public void start(String task, long total) {
                assertThat(total).isEqualTo(8);
            }

            @Override
            public void advance(long done, String status) {
                progress.add(done);
            }

            @Override
            public void finish() {
            }
        }).run(service);

        List<JsonNode> train = withKey(metrics(logDir), "train_mean_nll");
        assertThat(train).extracting(n -> n.get("step").asLong()).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L);
        double first = train.getFirst().get("train_mean_nll").asDouble();
        double last = train.getLast().get("train_mean_nll").asDouble();
        // a random model over 128 tokens starts near ln 128 = 4.85 nats per token
        assertThat(first).isBetween(3.5, 6.0);
        assertThat(last).isLessThan(first * 0.6);
        // learning rates follow the schedule: 2 warm-up steps then linear decay over the other 6
        double[] expected = {1e-2, 2e-2, 2e-2, 2e-2 * 5 / 6, 2e-2 * 4 / 6, 2e-2 * 3 / 6, 2e-2 * 2 / 6, 2e-2 / 6};
        for (int i = 0; i < 8; i++) {
            assertThat(train.get(i).get("learning_rate").asDouble()).isCloseTo(expected[i], within(1e-12));
        }
        // each step trains 4 conversations of " tea\n\nUser:" (11 weighted tokens each)
        assertThat(train.getFirst().get("weighted_tokens").asDouble()).isEqualTo(44.0);

        List<JsonNode> eval = withKey(metrics(logDir), "test/nll");
        assertThat(eval).extracting(n -> n.get("step").asLong()).containsExactly(0L, 4L, 8L);
        assertThat(eval.getLast().get("test/nll").asDouble()).isLessThan(eval.getFirst().get("test/nll").asDouble() * 0.6);
        // one token is one byte here, so bpb = nll / ln 2
        for (JsonNode e : eval) {
            assertThat(e.get("test/bpb").asDouble()).isCloseTo(e.get("test/nll").asDouble() / Math.log(2), within(1e-9));
        }
        assertThat(result.evalMetrics().get("test/nll")).isEqualTo(eval.getLast().get("test/nll").asDouble());

        assertThat(progress.getLast()).isEqualTo(8);
        assertThat(result.steps()).isEqualTo(8);
        assertThat(result.samplerPath()).startsWith("tinker://").contains("/sampler_weights/final");
        assertThat(result.statePath()).startsWith("tinker://").contains("/weights/final");
        assertThat(JSON.readTree(logDir.resolve("config.json").toFile()).get("modelName").asText()).isEqualTo(TinyServer.MODEL);
        assertThat(Files.readString(logDir.resolve("report.html"))).contains(">train_mean_nll</text>", ">test/bpb</text>");
        List<CheckpointRecord> saved = new CheckpointLog(logDir).read();
        assertThat(saved).hasSize(1);
        assertThat(saved.getFirst().isFinal()).isTrue();
        assertThat(saved.getFirst().samplerPath()).isEqualTo(result.samplerPath());
    }

    @Test
    void aRunStartedAgainContinuesAtItsCheckpointWithTheSameBatches(@TempDir Path dir) throws Exception {
        Path data = writeData(dir);
        // the reference: 4 steps without a break (saving at step 2 as the interrupted run does)
        Path whole = dir.resolve("whole");
        new SupervisedTraining(SftConfigEdits.steps(config(data, whole), 4, 2), RENDERER, ProgressListener.NONE).run(service);

        // the same run stopped after 2 steps, then started again with the same log directory
        Path parts = dir.resolve("parts");
        new SupervisedTraining(SftConfigEdits.steps(config(data, parts), 2, 2), RENDERER, ProgressListener.NONE).run(service);
        assertThat(new CheckpointLog(parts).lastWithState().orElseThrow().step()).isEqualTo(2);
        SftResult resumed = new SupervisedTraining(SftConfigEdits.steps(config(data, parts), 4, 2), RENDERER,
                ProgressListener.NONE).run(service);
        assertThat(resumed.steps()).isEqualTo(4);

        List<JsonNode> a = withKey(metrics(whole), "train_mean_nll");
        List<JsonNode> b = withKey(metrics(parts), "train_mean_nll");
        assertThat(b).extracting(n -> n.get("step").asLong()).containsExactly(0L, 1L, 2L, 3L);
        for (int i = 0; i < 4; i++) {
            // same weights, Adam moments and batch give the same loss; a fresh optimizer or another batch would not
            assertThat(b.get(i).get("train_mean_nll").asDouble()).as("step %d", i)
                    .isCloseTo(a.get(i).get("train_mean_nll").asDouble(), within(1e-4));
        }
        assertThat(b.get(3).get("train_mean_nll").asDouble()).isNotCloseTo(b.get(2).get("train_mean_nll").asDouble(), within(1e-3));
    }

    @Test
    void aFinishedRunStartedAgainTrainsNothingAndRewritesNothing(@TempDir Path dir) throws Exception {
        Path data = writeData(dir);
        Path log = dir.resolve("log");
        SftConfig config = SftConfigEdits.steps(config(data, log), 2, 0);
        SftResult first = new SupervisedTraining(config, RENDERER, ProgressListener.NONE).run(service);
        assertThat(first.alreadyFinished()).isFalse();
        List<String> files = List.of("config.json", "metrics.jsonl", "checkpoints.jsonl", "report.html");
        List<byte[]> before = new ArrayList<>();
        for (String f : files) {
            before.add(Files.readAllBytes(log.resolve(f)));
        }
        int runsBefore = trainingRuns();

        List<String> statuses = new ArrayList<>();
        SftResult again = new SupervisedTraining(config, RENDERER, new ProgressListener() {
            @Override
            public void start(String task, long total) {
            }

            @Override
            public void advance(long done, String status) {
                statuses.add(done + " " + status);
            }

            @Override
            public void finish() {
            }
        }).run(service);

        assertThat(again.alreadyFinished()).isTrue();
        assertThat(statuses).singleElement().asString().startsWith("2 already finished");
        assertThat(again.samplerPath()).isEqualTo(first.samplerPath());
        assertThat(again.statePath()).isEqualTo(first.statePath());
        assertThat(again.steps()).isEqualTo(2);
        // read back from metrics.jsonl: the last step's training line and the final evaluation
        List<JsonNode> logged = metrics(log);
        JsonNode lastTrain = withKey(logged, "train_mean_nll").getLast();
        assertThat(lastTrain.get("step").asLong()).isEqualTo(1);
        assertThat(again.trainMetrics().get("train_mean_nll")).isEqualTo(lastTrain.get("train_mean_nll").asDouble());
        assertThat(again.trainMetrics()).doesNotContainKey("step");
        JsonNode lastEval = withKey(logged, "test/nll").getLast();
        assertThat(lastEval.get("step").asLong()).isEqualTo(2);
        assertThat(again.evalMetrics().get("test/nll")).isEqualTo(lastEval.get("test/nll").asDouble());
        // no training client was created (so nothing was trained or evaluated), and no file was touched
        assertThat(trainingRuns()).isEqualTo(runsBefore);
        for (int i = 0; i < files.size(); i++) {
            assertThat(log.resolve(files.get(i))).as(files.get(i)).hasBinaryContent(before.get(i));
        }
    }

    private static int trainingRuns() {
        return service.createRestClient().listTrainingRuns(1000, 0).trainingRuns().size();
    }

    /**
     * Pipelining: when step k-1's result is read (and progress reports k done), step k's forward_backward and
     * optim_step must already be submitted. The listener blocks the training loop, so an unpipelined loop could
     * never get them to the server while we wait.
     */
    @Test
    void theNextStepIsSubmittedBeforeThePreviousResultIsRead(@TempDir Path dir) throws Exception {
        SftConfig config = ConfigOverrides.apply(config(writeData(dir), dir.resolve("log")),
                java.util.Map.of("testSize", "0", "evalEvery", "0", "maxSteps", "4"));
        List<String> problems = new ArrayList<>();
        long[] baseline = new long[1];
        new SupervisedTraining(config, RENDERER, new ProgressListener() {
            private dev.luthier.server.ordering.SequencedQueue<?> queue;

            @Override
            public void start(String task, long total) {
            }

            @Override
            public void advance(long done, String status) {
                if (done == 0) {
                    String runId = service.createRestClient().listTrainingRuns(1, 0).trainingRuns().getFirst().trainingRunId();
                    queue = server.server.service().run(runId).orElseThrow().queue();
                    baseline[0] = admitted();
                    return;
                }
                if (done >= 4) {
                    return;
                }
                long expected = baseline[0] + 2 * (done + 1); // steps 0..done, two requests each
                long deadline = System.nanoTime() + 3_000_000_000L;
                while (admitted() < expected && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                if (admitted() < expected) {
                    problems.add("reading step " + (done - 1) + ": the server has " + (admitted() - baseline[0])
                            + " requests, step " + done + " was not submitted");
                }
            }

            private long admitted() {
                return queue.nextSeqId() + queue.bufferedCount();
            }

            @Override
            public void finish() {
            }
        }).run(service);
        assertThat(problems).isEmpty();
    }

    @Test
    void resumingIntoAnotherRunIsRefused(@TempDir Path dir) throws Exception {
        Path data = writeData(dir);
        Path log = dir.resolve("log");
        new SupervisedTraining(SftConfigEdits.steps(config(data, log), 1, 0), RENDERER, ProgressListener.NONE).run(service);
        SftConfig other = SftConfigEdits.batch(config(data, log), 2);
        assertThatThrownBy(() -> new SupervisedTraining(other, RENDERER, ProgressListener.NONE).run(service))
                .hasMessageContaining("batch_size=4").hasMessageContaining("another logDir");
        // a run with fewer steps than the log directory already holds
        new SupervisedTraining(SftConfigEdits.steps(config(data, log), 2, 0), RENDERER, ProgressListener.NONE).run(service);
        assertThatThrownBy(() -> new SupervisedTraining(SftConfigEdits.steps(config(data, log), 1, 0), RENDERER,
                ProgressListener.NONE).run(service)).hasMessageContaining("past this run's 1 steps");
    }
}
