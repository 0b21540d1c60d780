package dev.luthier.cookbook.rl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.luthier.client.ServiceClient;
import dev.luthier.cookbook.testing.TinyServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The RL loop end to end against a real server on loopback, on environments a tiny random model learns quickly. */
class RlTrainerTest {
    @TempDir
    static Path dir;
    static TinyServer server;
    static ServiceClient service;

    @BeforeAll
    static void start() throws Exception {
        server = new TinyServer(dir.resolve("server"));
        service = server.client();
    }

    @AfterAll
    static void stop() {
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
}
