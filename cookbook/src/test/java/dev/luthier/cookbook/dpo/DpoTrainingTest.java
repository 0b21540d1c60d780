package dev.luthier.cookbook.dpo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.luthier.api.input.ModelInput;
import dev.luthier.client.ServiceClient;
import dev.luthier.client.sampling.SamplingClient;
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
                "role_colon", Optional.empty(), Optional.empty(), dev.luthier.cookbook.preferences.PreferenceFormat.AUTO, 2, 0,
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

    private static Path result(Path dir) {
        return dir.resolve("run");
    }

    private static double replyLogprob(SamplingClient sampler, PairDatums d, boolean chosen) {
        var example = chosen ? d.chosen() : d.rejected();
        float[] lp = sampler.computeLogprobs(ModelInput.ofTokens(example.tokens())).join();
        return PairDatums.referenceSum(example, lp);
    }
}
