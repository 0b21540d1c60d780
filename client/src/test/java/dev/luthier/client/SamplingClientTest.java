package dev.luthier.client;

import dev.luthier.api.input.Datum;
import dev.luthier.api.input.ModelInput;
import dev.luthier.api.sampling.SampleResponse;
import dev.luthier.api.sampling.SamplingParams;
import dev.luthier.api.sampling.TokenLogprob;
import dev.luthier.api.training.AdamParams;
import dev.luthier.client.sampling.SamplingClient;
import dev.luthier.client.training.TrainingClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigInteger;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The sampling client against a real server on loopback. */
class SamplingClientTest {
    @TempDir
    static Path dir;
    static LoopbackServer server;
    static ServiceClient service;
    static TrainingClient trained;
    static final int[] TOKENS = {3, 14, 15, 92, 65, 35, 89, 79};

    @BeforeAll
    static void start() throws Exception {
        server = new LoopbackServer(dir);
        service = new ServiceClient(server.options());
        trained = service.createLoraTrainingClient(LoopbackServer.MODEL, 4);
        for (int i = 0; i < 3; i++) {
            trained.forwardBackward(List.of(Data.sft(TOKENS)), "cross_entropy");
            trained.optimStep(AdamParams.defaults().withLearningRate(0.01));
        }
    }

    @AfterAll
    static void stop() {
        service.close();
        server.close();
    }

    static SamplingParams seeded(long seed) {
        return new SamplingParams(6, BigInteger.valueOf(seed), null, 1.0, -1, 1.0);
    }

    @Test
    void aSeededSampleIsReproducible() {
        SamplingClient sampler = service.createSamplingClient(LoopbackServer.MODEL);
        ModelInput prompt = ModelInput.ofTokens(1, 2, 3);
        SampleResponse a = sampler.sample(prompt, 3, seeded(7)).join();
        SampleResponse b = sampler.sample(prompt, 3, seeded(7)).join();
        assertThat(a.sequences()).hasSize(3);
        assertThat(a.sequences().getFirst().tokens()).hasSize(6);
        assertThat(a.sequences().getFirst().logprobs()).hasSize(6);
        for (int i = 0; i < 3; i++) {
            assertThat(b.sequences().get(i).tokens()).isEqualTo(a.sequences().get(i).tokens());
        }
        SampleResponse other = sampler.sample(prompt, 3, seeded(8)).join();
        assertThat(other.sequences().stream().map(s -> java.util.Arrays.toString(s.tokens())).toList())
                .isNotEqualTo(a.sequences().stream().map(s -> java.util.Arrays.toString(s.tokens())).toList());
    }

    @Test
    void promptLogprobsMatchTheTrainingForward() {
        SamplingClient sampler = trained.saveWeightsAndGetSamplingClient().join();
        float[] prompt = sampler.computeLogprobs(ModelInput.ofTokens(TOKENS)).join();
        Datum d = Data.sft(TOKENS);
        float[] forward = trained.forward(List.of(d), "cross_entropy").join().lossFnOutputs().getFirst().get("logprobs").toFloats();
        assertThat(prompt).hasSize(TOKENS.length);
        assertThat(prompt[0]).isNaN();
        for (int i = 1; i < TOKENS.length; i++) {
            assertThat((double) prompt[i]).as("position %d", i).isCloseTo(forward[i - 1], within(1e-4));
        }
    }

    @Test
    void aNamedSamplerCheckpointSamplesTheTrainedWeights() {
        String path = trained.saveWeightsForSampler("for-sampling").join().path();
        assertThat(path).isEqualTo("tinker://" + trained.modelId() + "/sampler_weights/for-sampling");
        SamplingClient fromPath = service.createSamplingClient(path);
        SamplingClient base = service.createSamplingClient(LoopbackServer.MODEL);
        float[] tuned = fromPath.computeLogprobs(ModelInput.ofTokens(TOKENS)).join();
        float[] untuned = base.computeLogprobs(ModelInput.ofTokens(TOKENS)).join();
        // Training on TOKENS made them likelier.
        assertThat(sum(tuned)).isGreaterThan(sum(untuned));
        assertThat(fromPath.getInfo().modelPath()).isEqualTo(path);
        assertThat(fromPath.getInfo().baseModel()).isEqualTo(LoopbackServer.MODEL);
    }

    static double sum(float[] a) {
        double s = 0;
        for (int i = 1; i < a.length; i++) {
            s += a[i];
        }
        return s;
    }

    @Test
    void topkPromptLogprobsHaveKSortedCandidates() {
        SamplingClient sampler = service.createSamplingClient(LoopbackServer.MODEL);
        List<List<TokenLogprob>> topk = sampler.topkPromptLogprobs(ModelInput.ofTokens(1, 2, 3, 4), 3).join();
        assertThat(topk).hasSize(4);
        assertThat(topk.getFirst()).isNull();
        for (int i = 1; i < 4; i++) {
            List<TokenLogprob> row = topk.get(i);
            assertThat(row).hasSize(3);
            assertThat(row.get(0).logprob()).isGreaterThanOrEqualTo(row.get(1).logprob());
            assertThat(row.get(1).logprob()).isGreaterThanOrEqualTo(row.get(2).logprob());
        }
    }

    @Test
    void manyConcurrentSamplesAllFinish() {
        SamplingClient sampler = service.createSamplingClient(LoopbackServer.MODEL);
        var futures = java.util.stream.IntStream.range(0, 40)
                .mapToObj(i -> sampler.sample(ModelInput.ofTokens(1, 2, i % 90 + 1), 1, seeded(i))).toList();
        for (var f : futures) {
            assertThat(f.join().sequences()).hasSize(1);
        }
    }
}
