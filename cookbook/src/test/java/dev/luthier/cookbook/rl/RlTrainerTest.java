package dev.luthier.cookbook.rl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.luthier.api.input.ModelInput;
import dev.luthier.client.ServiceClient;
import dev.luthier.cookbook.checkpoints.CheckpointLog;
import dev.luthier.cookbook.checkpoints.CheckpointRecord;
import dev.luthier.cookbook.testing.TinyServer;
import dev.luthier.cookbook.testing.WireRecorder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The RL loop end to end against a real server on loopback, on environments a tiny random model learns quickly. */
class RlTrainerTest {
    @TempDir
    static Path dir;
    static TinyServer server;
    static ServiceClient service;
    /** Between a JSON-only client and the server, for the tests that check the wire. */
    static WireRecorder wire;
    static ServiceClient recorded;

    @BeforeAll
    static void start() throws Exception {
        server = new TinyServer(dir.resolve("server"));
        service = server.client();
        wire = new WireRecorder(server.baseUrl);
        recorded = wire.client();
    }

    @AfterAll
    static void stop() {
        recorded.close();
        wire.close();
        service.close();
        server.close();
    }

    static RlConfig config(String name) {
        return RlConfig.defaults(TinyServer.MODEL, dir.resolve(name)).withRank(4).withLearningRate(0.02)
                .withGroups(4, 8).withMaxTokens(2).withSteps(12).withEvalAndSave(0, 0).withSeed(5)
                .withSamplesPerRequest(4); // the test server's sampler has 4 slots: each group is 2 requests
    }

    static double mean(List<Map<String, Double>> history, int from, int to, String key) {
        return history.subList(from, to).stream().mapToDouble(m -> m.get(key)).average().orElseThrow();
    }

    static void assertRewardRose(RlResult result) {
        List<Map<String, Double>> h = result.history();
        double before = mean(h, 0, 3, RlMetrics.REWARD_MEAN);
        double after = mean(h, h.size() - 3, h.size(), RlMetrics.REWARD_MEAN);
        assertThat(after).as("reward over the last 3 steps vs the first 3 (%s → %s)", before, after)
                .isGreaterThan(before + 0.25);
    }

    @Test
    void importanceSamplingSyncRaisesTheReward() throws Exception {
        RlResult result = new RlTrainer(service, config("is-sync").withEvalAndSave(0, 6), TokenTargetEnvs.dataset(false)).run();
        assertRewardRose(result);
        assertThat(result.history()).hasSize(12);
        for (Map<String, Double> m : result.history()) {
            if (m.get(RlMetrics.STEP_SKIPPED) == 0.0) {
                // on-policy: the learner's logprobs before the update are the sampler's (checks the target shift)
                assertThat(m.get(RlMetrics.KL_SAMPLE_TRAIN_V1)).isCloseTo(0.0, within(2e-3));
                assertThat(m.get(RlMetrics.ENTROPY)).isPositive();
            }
            assertThat(m.get(RlMetrics.STALENESS_MAX)).isZero();
            assertThat(m.get(RlMetrics.ACTION_TOKENS_PER_TURN)).isBetween(1.0, 2.0);
            assertThat(m.get(RlMetrics.OBSERVATION_TOKENS_PER_TURN)).isEqualTo(3.0);
            assertThat(m.get("env/hit")).isEqualTo(m.get(RlMetrics.REWARD_MEAN), within(1e-9));
        }
        assertThat(result.samplerPath()).startsWith("tinker://").contains("sampler_weights/final");
        assertThat(result.statePath()).startsWith("tinker://").contains("weights/final");
        var checkpoints = new dev.luthier.cookbook.checkpoints.CheckpointLog(dir.resolve("is-sync")).read();
        assertThat(checkpoints).extracting(c -> c.name()).containsExactly("step-000006", "final");
        assertThat(checkpoints.getLast().samplerPath()).isEqualTo(result.samplerPath());
        assertThat(checkpoints.getFirst().statePath()).startsWith("tinker://").contains("/weights/step-000006");
        List<String> lines = Files.readAllLines(dir.resolve("is-sync").resolve("metrics.jsonl"));
        assertThat(lines).hasSize(12);
        JsonNode config = new ObjectMapper().readTree(dir.resolve("is-sync").resolve("config.json").toFile());
        assertThat(config.get("loss").asText()).isEqualTo("importance_sampling");
        assertThat(config.get("groupSize").asInt()).isEqualTo(8);
    }

    @Test
    void ppoSyncRaisesTheReward() {
        RlResult result = new RlTrainer(service, config("ppo-sync").withLoss(RlConfig.Loss.PPO),
                TokenTargetEnvs.dataset(false)).run();
        assertRewardRose(result);
    }

    @Test
    void asyncRaisesTheRewardWithinTheStalenessBound() {
        RlResult result = new RlTrainer(service, config("is-async").withSteps(20).withMode(RlConfig.Mode.ASYNC, 1),
                TokenTargetEnvs.dataset(false)).run();
        assertRewardRose(result);
        for (Map<String, Double> m : result.history()) {
            assertThat(m.get(RlMetrics.STALENESS_MAX)).isLessThanOrEqualTo(1.0);
        }
    }

    @Test
    void ppoAsyncRaisesTheReward() {
        // off-policy by up to 2 steps, PPO's clipped ratio takes smaller steps than on-policy, and how stale each
        // batch is depends on timing: more steps keep the rise clear of the threshold on a busy machine
        RlResult result = new RlTrainer(service, config("ppo-async").withLoss(RlConfig.Loss.PPO).withSteps(24)
                .withMode(RlConfig.Mode.ASYNC, 2), TokenTargetEnvs.dataset(false)).run();
        assertRewardRose(result);
    }

    /**
     * With max staleness 0, the groups the producer starts while step k trains use step k's weights and arrive at
     * step k+1, one step too old: they are dropped, and only fresh groups are trained on.
     */
    @Test
    void asyncDropsGroupsOlderThanTheBound() {
        RlResult result = new RlTrainer(service, config("async-drop").withSteps(4).withMode(RlConfig.Mode.ASYNC, 0),
                TokenTargetEnvs.dataset(false)).run();
        double dropped = result.history().stream().mapToDouble(m -> m.get(RlMetrics.DROPPED_GROUPS)).sum();
        assertThat(dropped).isGreaterThan(0);
        for (Map<String, Double> m : result.history()) {
            assertThat(m.get(RlMetrics.STALENESS_MAX)).isZero();
        }
    }

    /** Two-turn episodes merge into one datum each (the second observation extends the first turn). */
    @Test
    void multiTurnEpisodesTrainAsOneDatumEach() {
        RlResult result = new RlTrainer(service, config("two-turns").withSteps(8), TokenTargetEnvs.dataset(true)).run();
        for (Map<String, Double> m : result.history()) {
            assertThat(m.get(RlMetrics.TURNS_PER_EPISODE)).isEqualTo(2.0);
            if (m.get(RlMetrics.STEP_SKIPPED) == 0.0) {
                double trainedGroups = 4 - m.get(RlMetrics.SKIPPED_GROUPS);
                assertThat(m.get(RlMetrics.DATUMS)).isEqualTo(trainedGroups * 8);
                assertThat(m.get(RlMetrics.KL_SAMPLE_TRAIN_V1)).isCloseTo(0.0, within(2e-3));
            }
        }
        List<Map<String, Double>> h = result.history();
        assertThat(mean(h, h.size() - 3, h.size(), RlMetrics.REWARD_MEAN))
                .isGreaterThan(mean(h, 0, 3, RlMetrics.REWARD_MEAN) + 0.2);
    }

    /**
     * With a KL penalty the reference is the base model: at step 0 the policy is the base model, so the measured
     * KL(policy ‖ base) is 0 (checks the alignment of the reference logprobs); it grows as training moves away.
     */
    @Test
    void klPenaltyIsMeasuredAgainstTheBaseModel() {
        RlResult result = new RlTrainer(service, config("kl").withSteps(6).withKlPenalty(0.05),
                TokenTargetEnvs.dataset(false)).run();
        List<Map<String, Double>> h = result.history();
        // steps where every group had equal rewards train nothing and measure nothing; the first step that trains
        // sampled with the initial weights
        List<Double> measured = h.stream().map(m -> m.get(RlMetrics.KL_POLICY_BASE)).filter(java.util.Objects::nonNull).toList();
        assertThat(measured.size()).isGreaterThan(2);
        assertThat(measured.getFirst()).isCloseTo(0.0, within(2e-3));
        assertThat(measured.getLast()).isGreaterThan(0.01);
    }

    /** The forward_backward requests, as the spec names their fields (§5.3, JSON form). */
    static List<JsonNode> forwardBackwardInputs() {
        return wire.posts("/forward_backward").stream().map(r -> r.body().get("forward_backward_input")).toList();
    }

    @Test
    void cispoSyncRaisesTheRewardAndSendsItsClipBounds() {
        wire.clear();
        RlConfig config = config("cispo-sync").with(Map.of("loss", "cispo", "clipHighThreshold", "5"));
        RlResult result = new RlTrainer(recorded, config, TokenTargetEnvs.dataset(false)).run();
        assertRewardRose(result);
        List<JsonNode> passes = forwardBackwardInputs();
        assertThat(passes).isNotEmpty();
        for (JsonNode in : passes) {
            assertThat(in.get("loss_fn").asText()).isEqualTo("cispo");
            // the lower bound is the spec's default for cispo (0.0); the upper one is the setting
            assertThat(in.get("loss_fn_config").get("clip_low_threshold").asDouble()).isEqualTo(0.0);
            assertThat(in.get("loss_fn_config").get("clip_high_threshold").asDouble()).isEqualTo(5.0);
            assertThat(in.get("loss_fn_config").size()).isEqualTo(2);
        }
    }

    @Test
    void droSyncRaisesTheRewardAndSendsItsBeta() {
        wire.clear();
        RlConfig config = config("dro-sync").with(Map.of("loss", "dro", "droBeta", "0.05"));
        RlResult result = new RlTrainer(recorded, config, TokenTargetEnvs.dataset(false)).run();
        assertRewardRose(result);
        List<JsonNode> passes = forwardBackwardInputs();
        assertThat(passes).isNotEmpty();
        for (JsonNode in : passes) {
            assertThat(in.get("loss_fn").asText()).isEqualTo("dro");
            assertThat(in.get("loss_fn_config").get("beta").asDouble()).isEqualTo(0.05);
            assertThat(in.get("loss_fn_config").size()).isEqualTo(1);
        }
    }

    /** importance_sampling has no config: the spec says loss_fn_config is then omitted (null). */
    @Test
    void importanceSamplingSendsNoLossConfig() {
        wire.clear();
        new RlTrainer(recorded, config("is-wire").withSteps(2), TokenTargetEnvs.dataset(false)).run();
        for (JsonNode in : forwardBackwardInputs()) {
            assertThat(in.get("loss_fn").asText()).isEqualTo("importance_sampling");
            assertThat(in.path("loss_fn_config").isMissingNode() || in.get("loss_fn_config").isNull()).isTrue();
        }
    }

    /**
     * The requests of each training step: those between two unnamed {@code save_weights_for_sampler} posts (the
     * sampler for the next step, §5.8), which the trainer sends only after the step's passes and Adam steps are done.
     */
    static List<List<WireRecorder.Request>> requestsPerStep() {
        List<List<WireRecorder.Request>> steps = new ArrayList<>();
        List<WireRecorder.Request> current = null;
        for (WireRecorder.Request r : wire.posts("")) {
            boolean samplerSave = r.path().endsWith("/save_weights_for_sampler") && !r.body().has("path");
            if (samplerSave) {
                if (current != null) {
                    steps.add(current);
                }
                current = new ArrayList<>();
            } else if (current != null) {
                current.add(r);
            }
        }
        return steps;
    }

    static long count(List<WireRecorder.Request> requests, String endpoint) {
        return requests.stream().filter(r -> r.path().endsWith(endpoint)).count();
    }

    @Test
    void eachSubstepIsAForwardBackwardAndAnOptimStepOnItsShareOfTheDatums() {
        wire.clear();
        RlResult result = new RlTrainer(recorded, config("substeps").withSteps(3).withNumSubsteps(3),
                TokenTargetEnvs.dataset(false)).run();
        List<List<WireRecorder.Request>> steps = requestsPerStep();
        List<Map<String, Double>> trained = result.history().stream().filter(m -> m.get(RlMetrics.STEP_SKIPPED) == 0.0).toList();
        assertThat(trained).isNotEmpty();
        assertThat(steps).hasSize(trained.size());
        for (int i = 0; i < steps.size(); i++) {
            List<WireRecorder.Request> step = steps.get(i);
            assertThat(count(step, "/optim_step")).as("optim_steps of trained step %d", i).isEqualTo(3);
            assertThat(count(step, "/forward_backward")).isEqualTo(3);
            List<Integer> sizes = step.stream().filter(r -> r.path().endsWith("/forward_backward"))
                    .map(r -> r.body().get("forward_backward_input").get("data").size()).toList();
            int datums = trained.get(i).get(RlMetrics.DATUMS).intValue();
            // split as evenly as possible: sizes differ by at most one and add up to the batch
            assertThat(sizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(datums);
            assertThat(Collections.max(sizes) - Collections.min(sizes)).isLessThanOrEqualTo(1);
            assertThat(trained.get(i).get(RlMetrics.SUBSTEPS)).isEqualTo(3.0);
        }
    }

    @Test
    void oneSubstepIsOnePassAndOneOptimStepOverTheWholeBatch() {
        wire.clear();
        RlResult result = new RlTrainer(recorded, config("one-substep").withSteps(2), TokenTargetEnvs.dataset(false)).run();
        List<Map<String, Double>> trained = result.history().stream().filter(m -> m.get(RlMetrics.STEP_SKIPPED) == 0.0).toList();
        List<List<WireRecorder.Request>> steps = requestsPerStep();
        assertThat(steps).hasSize(trained.size());
        for (int i = 0; i < steps.size(); i++) {
            assertThat(count(steps.get(i), "/optim_step")).isEqualTo(1);
            int datums = trained.get(i).get(RlMetrics.DATUMS).intValue();
            assertThat(steps.get(i).stream().filter(r -> r.path().endsWith("/forward_backward")).toList())
                    .singleElement().satisfies(r -> assertThat(r.body().get("forward_backward_input").get("data").size())
                            .isEqualTo(datums));
        }
    }

    /** More substeps than datums: one Adam step per datum, as the cookbook's {@code min(num_substeps, len(data))}. */
    @Test
    void moreSubstepsThanDatumsTakesOneStepPerDatum() {
        wire.clear();
        RlResult result = new RlTrainer(recorded, config("many-substeps").withSteps(1).withNumSubsteps(1000),
                TokenTargetEnvs.dataset(false)).run();
        Map<String, Double> m = result.history().getFirst();
        assertThat(m.get(RlMetrics.STEP_SKIPPED)).isZero();
        assertThat(m.get(RlMetrics.SUBSTEPS)).isEqualTo(m.get(RlMetrics.DATUMS));
        assertThat(count(requestsPerStep().getFirst(), "/optim_step")).isEqualTo(m.get(RlMetrics.DATUMS).longValue());
    }

    @Test
    void minibatchesAreConsecutiveAndAsEvenAsPossible() {
        List<Integer> items = List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(RlTrainer.minibatches(items, 3)).containsExactly(List.of(0, 1, 2, 3), List.of(4, 5, 6), List.of(7, 8, 9));
        assertThat(RlTrainer.minibatches(items, 1)).containsExactly(items);
        assertThat(RlTrainer.minibatches(items, 10)).hasSize(10).allSatisfy(b -> assertThat(b).hasSize(1));
        assertThatThrownBy(() -> RlTrainer.minibatches(items, 11)).hasMessageContaining("10 datums into 11");
    }

    /** A dataset that notes which group indices the trainer asked for. */
    static RlDataset noting(List<Long> indices) {
        RlDataset base = TokenTargetEnvs.dataset(false);
        return index -> {
            synchronized (indices) {
                indices.add(index);
            }
            return base.group(index);
        };
    }

    static List<Long> metricSteps(Path logDir) throws Exception {
        List<Long> steps = new ArrayList<>();
        for (String line : Files.readAllLines(logDir.resolve("metrics.jsonl"))) {
            steps.add(new ObjectMapper().readTree(line).get("step").asLong());
        }
        return steps;
    }

    /**
     * Two steps, then the same run started again for four: it loads the saved state with its optimizer, samples
     * steps 2 and 3 with the checkpoint's weights (the sampler's logprobs of the tokens it drew are those of the
     * saved sampler weights, not of the base model) and the groups those steps would have had, and appends to the
     * metrics.
     */
    @Test
    void aSyncRunStartedAgainContinuesFromItsCheckpoint() throws Exception {
        Path logDir = dir.resolve("resume-sync");
        List<Long> first = new ArrayList<>();
        RlResult part = new RlTrainer(service, config("resume-sync").withSteps(2), noting(first)).run();
        assertThat(first).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L);
        CheckpointRecord saved = new CheckpointLog(logDir).lastWithState().orElseThrow();
        assertThat(saved.step()).isEqualTo(2);

        wire.clear();
        List<Long> second = new ArrayList<>();
        RlResult resumed = new RlTrainer(recorded, config("resume-sync").withSteps(4), noting(second)).run();
        assertThat(second).containsExactly(8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L);
        assertThat(resumed.history()).extracting(m -> m.get("step")).containsExactly(2.0, 3.0);
        assertThat(metricSteps(logDir)).containsExactly(0L, 1L, 2L, 3L);
        assertThat(new CheckpointLog(logDir).read()).extracting(CheckpointRecord::name, CheckpointRecord::step)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("final", 2L), org.assertj.core.groups.Tuple.tuple("final", 4L));

        // §5.7: the adapter was loaded from the checkpoint's state, Adam moments included
        assertThat(wire.posts("/load_weights")).singleElement().satisfies(r -> {
            assertThat(r.body().get("path").asText()).isEqualTo(saved.statePath()).isEqualTo(part.statePath());
            assertThat(r.body().get("optimizer").asBoolean()).isTrue();
        });
        // the first resumed step's datums carry the sampler's logprobs of the sampled tokens: recompute them
        JsonNode datum = forwardBackwardInputs().getFirst().get("data").get(0);
        int[] tokens = sequenceOf(datum);
        float[] sampler = floats(datum.get("loss_fn_inputs").get("logprobs").get("data"));
        float[] checkpoint = service.createSamplingClient(part.samplerPath()).computeLogprobs(ModelInput.ofTokens(tokens)).join();
        float[] base = service.createSamplingClient(TinyServer.MODEL).computeLogprobs(ModelInput.ofTokens(tokens)).join();
        double gapToCheckpoint = 0;
        double gapToBase = 0;
        for (int t = TokenTargetEnvs.PROMPT.length; t < tokens.length; t++) { // the action tokens
            gapToCheckpoint = Math.max(gapToCheckpoint, Math.abs(sampler[t - 1] - checkpoint[t]));
            gapToBase = Math.max(gapToBase, Math.abs(sampler[t - 1] - base[t]));
        }
        assertThat(gapToCheckpoint).isLessThan(2e-3);
        assertThat(gapToBase).as("two steps moved the weights away from the base model").isGreaterThan(0.1);
    }

    /** The whole token sequence of a datum: its model input and the last target token. */
    static int[] sequenceOf(JsonNode datum) {
        List<Integer> out = new ArrayList<>();
        for (JsonNode chunk : datum.get("model_input").get("chunks")) {
            chunk.get("tokens").forEach(t -> out.add(t.asInt()));
        }
        JsonNode targets = datum.get("loss_fn_inputs").get("target_tokens").get("data");
        out.add(targets.get(targets.size() - 1).asInt());
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) array.get(i).asDouble();
        }
        return out;
    }

    /** A log directory that holds the run's final checkpoint: started again, the run asks nothing of the server. */
    @Test
    void aFinishedRunStartedAgainDoesNothing() throws Exception {
        Path logDir = dir.resolve("finished");
        RlResult first = new RlTrainer(service, config("finished").withSteps(1), TokenTargetEnvs.dataset(false)).run();
        java.util.Map<String, byte[]> files = new java.util.TreeMap<>();
        for (String name : List.of("metrics.jsonl", "checkpoints.jsonl", "config.json")) {
            files.put(name, java.nio.file.Files.readAllBytes(logDir.resolve(name)));
        }
        wire.clear();
        RlResult again = new RlTrainer(recorded, config("finished").withSteps(1), TokenTargetEnvs.dataset(false)).run();
        assertThat(first.alreadyFinished()).isFalse();
        assertThat(again.alreadyFinished()).isTrue();
        assertThat(again.samplerPath()).isEqualTo(first.samplerPath());
        assertThat(again.statePath()).isEqualTo(first.statePath());
        assertThat(again.history()).extracting(m -> m.get("step")).containsExactly(0.0);
        assertThat(again.finalMetrics().get(RlMetrics.REWARD_MEAN)).isEqualTo(first.finalMetrics().get(RlMetrics.REWARD_MEAN));
        for (String endpoint : List.of("/create_model", "/load_weights", "/forward_backward", "/optim_step", "/asample",
                "/save_weights", "/save_weights_for_sampler")) {
            assertThat(wire.posts(endpoint)).as(endpoint).isEmpty();
        }
        for (var e : files.entrySet()) {
            assertThat(java.nio.file.Files.readAllBytes(logDir.resolve(e.getKey()))).as(e.getKey()).isEqualTo(e.getValue());
        }
    }

    @Test
    void aResumeWithAnotherSeedOrBatchShapeIsRefused() {
        new RlTrainer(service, config("resume-mismatch").withSteps(1), TokenTargetEnvs.dataset(false)).run();
        assertThatThrownBy(() -> new RlTrainer(service, config("resume-mismatch").withSteps(2).withSeed(6),
                TokenTargetEnvs.dataset(false)).run())
                .hasMessageContaining("cannot resume from").hasMessageContaining("seed=5, this run has 6");
        assertThatThrownBy(() -> new RlTrainer(service, config("resume-mismatch").withSteps(2).withGroups(4, 4),
                TokenTargetEnvs.dataset(false)).run())
                .hasMessageContaining("group_size=8, this run has 4");
        assertThatThrownBy(() -> new RlTrainer(service, config("resume-mismatch").withSteps(2), TokenTargetEnvs.dataset(false))
                .run(service.createLoraTrainingClient(TinyServer.MODEL, 4, 5L, true, true, true, null)))
                .hasMessageContaining("has checkpoints up to step 1");
    }

    @Test
    void anAsyncRunStartedAgainContinuesAtItsCheckpointStep() throws Exception {
        Path logDir = dir.resolve("resume-async");
        new RlTrainer(service, config("resume-async").withSteps(2).withMode(RlConfig.Mode.ASYNC, 1),
                TokenTargetEnvs.dataset(false)).run();
        List<Long> indices = new ArrayList<>();
        RlResult resumed = new RlTrainer(service, config("resume-async").withSteps(4).withMode(RlConfig.Mode.ASYNC, 1),
                noting(indices)).run();
        assertThat(resumed.history()).extracting(m -> m.get("step")).containsExactly(2.0, 3.0);
        assertThat(metricSteps(logDir)).containsExactly(0L, 1L, 2L, 3L);
        // the producer starts at step 2's first group
        assertThat(Collections.min(indices)).isEqualTo(8L);
    }
}
