package dev.luthier.cookbook.dpo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.luthier.api.input.ModelInput;
import dev.luthier.client.ServiceClient;
import dev.luthier.client.sampling.SamplingClient;
import dev.luthier.cookbook.checkpoints.CheckpointLog;
import dev.luthier.cookbook.checkpoints.CheckpointRecord;
import dev.luthier.cookbook.config.ConfigOverrides;
import dev.luthier.cookbook.testing.AsciiTokenizer;
import dev.luthier.cookbook.testing.TinyServer;
import dev.luthier.cookbook.preferences.PreferencePair;
import dev.luthier.cookbook.progress.ProgressListener;
import dev.luthier.cookbook.renderers.Message;
import dev.luthier.cookbook.renderers.Renderer;
import dev.luthier.cookbook.renderers.Renderers;
import dev.luthier.cookbook.sft.ScheduleKind;
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

/** DPO end to end on a tiny random model served on loopback: pairs it can learn in a few steps. */
class DpoTrainingTest {

    @Test
    void learnsToPreferTheChosenReplies(@TempDir Path dir) throws Exception {
        Renderer renderer = Renderers.create("role_colon", new AsciiTokenizer());
        List<PreferencePair> pairs = new ArrayList<>();
        for (String q : List.of("a", "b", "c", "d", "e", "f", "g", "h")) {
            pairs.add(new PreferencePair(List.of(Message.user(q)), Message.assistant("yes"), Message.assistant("no")));
        }
        DpoConfig config = new DpoConfig(TinyServer.MODEL, 8, 1e-2, ScheduleKind.CONSTANT, 0.5, 3, 1, Optional.of(4), 256,
                "role_colon", Optional.empty(), Optional.empty(), dev.luthier.cookbook.preferences.PreferenceFormat.AUTO, 2, 0, 0,
                Optional.empty(), Optional.empty(), dir.resolve("run"), 3);
        List<Long> progress = new ArrayList<>();
        try (TinyServer server = new TinyServer(dir.resolve("server"));
             ServiceClient service = server.client()) {
            DpoResult result = new DpoTraining(service, config, renderer, new ProgressListener() {
                @Override
                public void start(String task, long total) {
                    assertThat(total).isEqualTo(4);
                }

                @Override
                public void advance(long done, String status) {
                    progress.add(done);
                }

                @Override
                public void finish() {
                }
            }).train(pairs);

            // the policy starts as the reference: every margin is 0 and the loss is log 2
            assertThat(result.firstMetrics().get("dpo_loss")).isCloseTo(Math.log(2), within(1e-3));
            assertThat(result.firstMetrics().get("margin")).isCloseTo(0.0, within(2e-3));
            assertThat(result.lastMetrics().get("dpo_loss")).isLessThan(0.5 * Math.log(2));
            assertThat(result.lastMetrics().get("accuracy")).isEqualTo(1.0);
            assertThat(result.lastMetrics().get("chosen_reward")).isGreaterThan(result.lastMetrics().get("rejected_reward"));
            assertThat(progress).containsExactly(1L, 2L, 3L, 4L);
            assertThat(result.pairs()).isEqualTo(6); // 2 of the 8 held out

            // the two held-out prompts were never trained on, yet their chosen reply now wins too
            assertThat(result.testMetrics().get("test/pairs")).isEqualTo(2.0);
            assertThat(result.testMetrics().get("test/accuracy")).isEqualTo(1.0);
            assertThat(result.testMetrics().get("test/dpo_loss")).isLessThan(0.5 * Math.log(2));

            // the saved adapter, scored by the sampler independently of the loop: chosen now beats rejected, and by
            // more than under the untrained base model
            SamplingClient trained = service.createSamplingClient(result.samplerPath());
            SamplingClient base = service.createSamplingClient(TinyServer.MODEL);
            for (PreferencePair p : pairs) {
                PairDatums d = PairDatums.render(renderer, p);
                double trainedMargin = replyLogprob(trained, d, true) - replyLogprob(trained, d, false);
                double baseMargin = replyLogprob(base, d, true) - replyLogprob(base, d, false);
                assertThat(trainedMargin).isGreaterThan(baseMargin + 0.5);
                assertThat(trainedMargin).isGreaterThan(0);
            }
            assertThat(result.statePath()).startsWith("tinker://").contains("/weights/final");
            assertThat(Files.readString(result.reportFile())).contains("dpo_loss");
        }

        List<String> lines = Files.readAllLines(result(dir).resolve("metrics.jsonl"));
        assertThat(lines).hasSize(6); // 4 steps, and the held-out evaluation before the first and after the last
        JsonNode firstEval = new ObjectMapper().readTree(lines.getFirst());
        assertThat(firstEval.get("step").asInt()).isZero();
        assertThat(firstEval.get("test/dpo_loss").asDouble()).isCloseTo(Math.log(2), within(1e-3));
        JsonNode firstStep = new ObjectMapper().readTree(lines.get(1));
        assertThat(firstStep.get("step").asInt()).isZero();
        assertThat(firstStep.has("accuracy")).isTrue();
        assertThat(new ObjectMapper().readTree(lines.getLast()).get("step").asInt()).isEqualTo(4);
        JsonNode cfg = new ObjectMapper().readTree(result(dir).resolve("config.json").toFile());
        assertThat(cfg.get("beta").asDouble()).isEqualTo(0.5);
        assertThat(cfg.get("schedule").asText()).isEqualTo("constant");
    }

    /** Pairs whose replies differ in length and text, so that batches differ in their losses and a wrong order shows. */
    private static List<PreferencePair> variedPairs() {
        String[][] replies = {{"yes", "no"}, {"ok", "never"}, {"sure thing", "nah"}, {"yes please", "no way at all"},
                {"fine", "bad"}, {"right", "wrong!"}, {"agreed", "x"}, {"good", "not good"}};
        List<PreferencePair> pairs = new ArrayList<>();
        for (int i = 0; i < replies.length; i++) {
            pairs.add(new PreferencePair(List.of(Message.user(Character.toString('a' + i))),
                    Message.assistant(replies[i][0]), Message.assistant(replies[i][1])));
        }
        return pairs;
    }

    /** 6 training pairs in batches of 2 (3 steps an epoch), 2 held out and evaluated every 2 steps. */
    private static DpoConfig resumable(Path logDir, int maxSteps, int saveEvery, int batchSize) {
        return new DpoConfig(TinyServer.MODEL, 8, 1e-2, ScheduleKind.CONSTANT, 0.5, batchSize, 1, Optional.of(maxSteps), 256,
                "role_colon", Optional.empty(), Optional.empty(), dev.luthier.cookbook.preferences.PreferenceFormat.AUTO, 2, 2,
                saveEvery, Optional.empty(), Optional.empty(), logDir, 7);
    }

    @Test
    void aRunStartedAgainContinuesAtItsCheckpointAndAFinishedOneIsLeftAlone(@TempDir Path dir) throws Exception {
        Renderer renderer = Renderers.create("role_colon", new AsciiTokenizer());
        List<PreferencePair> pairs = variedPairs();
        Path whole = dir.resolve("whole");
        Path parts = dir.resolve("parts");
        try (TinyServer server = new TinyServer(dir.resolve("server"));
             ServiceClient service = server.client()) {
            // the reference: 4 steps without a break, saving at step 2 as the interrupted run does
            DpoResult reference = new DpoTraining(service, resumable(whole, 4, 2, 2), renderer, ProgressListener.NONE)
                    .train(pairs);
            // the same run stopped after 2 steps, then started again on the same log directory
            new DpoTraining(service, resumable(parts, 2, 2, 2), renderer, ProgressListener.NONE).train(pairs);
            List<Long> progress = new ArrayList<>();
            DpoResult resumed = new DpoTraining(service, resumable(parts, 4, 2, 2), renderer, recording(progress)).train(pairs);
            assertThat(progress).containsExactly(2L, 3L, 4L); // it took steps 2 and 3 only
            assertThat(resumed.steps()).isEqualTo(4);
            assertThat(resumed.alreadyFinished()).isFalse();

            List<JsonNode> a = lines(whole);
            List<JsonNode> b = lines(parts);
            // per step: the held-out evaluation at 0, 2 and 4, the training metrics of steps 0..3
            assertThat(b).extracting(n -> n.get("step").asInt()).containsExactly(0, 0, 1, 2, 2, 3, 4);
            assertThat(b).hasSameSizeAs(a);
            for (int i = 0; i < a.size(); i++) {
                assertThat(fieldNames(b.get(i))).isEqualTo(fieldNames(a.get(i)));
                for (String key : fieldNames(a.get(i))) {
                    // at step 0 the policy is the reference: every margin is 0 up to rounding, so whether it counts as
                    // correct is the sign of rounding noise
                    boolean noise = key.endsWith("accuracy") && a.get(i).get("step").asInt() == 0;
                    if (!key.startsWith("time/") && !noise) {
                        // the same weights, Adam moments and batch give the same numbers; a fresh policy (log 2, margin
                        // 0), a reset optimizer or another batch would not
                        assertThat(b.get(i).get(key).asDouble()).as("line %d %s", i, key)
                                .isCloseTo(a.get(i).get(key).asDouble(), within(1e-4));
                    }
                }
            }
            // the check has teeth: step 2 is not where an untrained policy would be, and the batches differ in loss
            JsonNode step2 = b.get(4);
            assertThat(step2.has("dpo_loss")).isTrue();
            assertThat(step2.get("dpo_loss").asDouble()).isLessThan(Math.log(2) - 0.01);
            assertThat(b.get(5).get("epoch").asDouble()).isEqualTo(1.0); // step 3 opens the second epoch
            assertThat(resumed.lastMetrics().get("dpo_loss")).isCloseTo(reference.lastMetrics().get("dpo_loss"), within(1e-4));
            // step 0, logged before the break
            assertThat(resumed.firstMetrics().get("dpo_loss")).isCloseTo(Math.log(2), within(1e-3));

            // the checkpoints: the reference saved at step 2 and at the end, in SFT's format
            List<CheckpointRecord> saved = new CheckpointLog(whole).read();
            assertThat(saved).extracting(CheckpointRecord::name).containsExactly("step-000002", "final");
            assertThat(saved).extracting(CheckpointRecord::step).containsExactly(2L, 4L);
            assertThat(saved.getFirst().samplerPath()).isNull();
            assertThat(saved.getFirst().statePath()).contains("/weights/step-000002");
            assertThat(saved.getLast().isFinal()).isTrue();
            assertThat(saved.getLast().samplerPath()).isEqualTo(reference.samplerPath());
            assertThat(saved.getLast().extra()).containsEntry("batch_size", 2).containsEntry("train_size", 6);
            List<CheckpointRecord> resumedSaves = new CheckpointLog(parts).read();
            assertThat(resumedSaves).extracting(CheckpointRecord::step).containsExactly(2L, 4L); // final of 2, final of 4

            // started once more, the finished run trains nothing, saves nothing and rewrites nothing
            byte[] metricsBefore = Files.readAllBytes(parts.resolve("metrics.jsonl"));
            byte[] checkpointsBefore = Files.readAllBytes(parts.resolve("checkpoints.jsonl"));
            int runsBefore = trainingRuns(service);
            List<String> statuses = new ArrayList<>();
            DpoResult again = new DpoTraining(service, resumable(parts, 4, 2, 2), renderer, new ProgressListener() {
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
            }).train(pairs);
            assertThat(again.alreadyFinished()).isTrue();
            assertThat(statuses).singleElement().asString().startsWith("4 already finished");
            assertThat(again.samplerPath()).isEqualTo(resumed.samplerPath());
            assertThat(again.statePath()).isEqualTo(resumed.statePath());
            assertThat(again.lastMetrics().get("dpo_loss")).isEqualTo(b.get(5).get("dpo_loss").asDouble());
            assertThat(again.testMetrics().get("test/dpo_loss")).isEqualTo(b.get(6).get("test/dpo_loss").asDouble());
            assertThat(parts.resolve("metrics.jsonl")).hasBinaryContent(metricsBefore);
            assertThat(parts.resolve("checkpoints.jsonl")).hasBinaryContent(checkpointsBefore);
            assertThat(trainingRuns(service)).isEqualTo(runsBefore);
        }
    }

    @Test
    void resumingIntoAnotherRunIsRefused(@TempDir Path dir) throws Exception {
        Renderer renderer = Renderers.create("role_colon", new AsciiTokenizer());
        List<PreferencePair> pairs = variedPairs();
        Path log = dir.resolve("log");
        try (TinyServer server = new TinyServer(dir.resolve("server"));
             ServiceClient service = server.client()) {
            new DpoTraining(service, resumable(log, 1, 0, 2), renderer, ProgressListener.NONE).train(pairs);
            new DpoTraining(service, resumable(log, 2, 0, 2), renderer, ProgressListener.NONE).train(pairs); // resumes at 1
            byte[] config = Files.readAllBytes(log.resolve("config.json"));
            int runsBefore = trainingRuns(service);

            assertThatThrownBy(() -> new DpoTraining(service, resumable(log, 4, 0, 3), renderer, ProgressListener.NONE)
                    .train(pairs))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("batch_size=2").hasMessageContaining("has 3").hasMessageContaining("another logDir");
            DpoConfig otherBeta = ConfigOverrides.apply(resumable(log, 4, 0, 2), java.util.Map.of("beta", "0.25"));
            assertThatThrownBy(() -> new DpoTraining(service, otherBeta, renderer, ProgressListener.NONE).train(pairs))
                    .hasMessageContaining("beta=0.5").hasMessageContaining("has 0.25");
            // fewer pairs: another data set
            assertThatThrownBy(() -> new DpoTraining(service, resumable(log, 4, 0, 2), renderer, ProgressListener.NONE)
                    .train(pairs.subList(0, 7))).hasMessageContaining("train_size=6").hasMessageContaining("has 5");
            // fewer steps than the directory already holds
            assertThatThrownBy(() -> new DpoTraining(service, resumable(log, 1, 0, 2), renderer, ProgressListener.NONE)
                    .train(pairs))
                    .hasMessageContaining("past this run's 1 steps");
            // the refused runs left the directory's config.json as the run that trained wrote it, and made no training run
            assertThat(log.resolve("config.json")).hasBinaryContent(config);
            assertThat(trainingRuns(service)).isEqualTo(runsBefore);
        }
    }

    private static ProgressListener recording(List<Long> progress) {
        return new ProgressListener() {
            @Override
            public void start(String task, long total) {
            }

            @Override
            public void advance(long done, String status) {
                progress.add(done);
            }

            @Override
            public void finish() {
            }
        };
    }

    private static List<JsonNode> lines(Path logDir) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(logDir.resolve("metrics.jsonl"))) {
            out.add(new ObjectMapper().readTree(line));
        }
        return out;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> out = new ArrayList<>();
        node.fieldNames().forEachRemaining(out::add);
        return out;
    }

    private static int trainingRuns(ServiceClient service) {
        return service.createRestClient().listTrainingRuns(100, 0).trainingRuns().size();
    }

    private static Path result(Path dir) {
        return dir.resolve("run");
    }

    private static double replyLogprob(SamplingClient sampler, PairDatums d, boolean chosen) {
        var example = chosen ? d.chosen() : d.rejected();
        float[] lp = sampler.computeLogprobs(ModelInput.ofTokens(example.tokens())).join();
        return PairDatums.referenceSum(example, lp);
    }
}
