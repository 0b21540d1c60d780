package dev.luthier.client;

import dev.luthier.api.future.ErrorCategory;
import dev.luthier.api.input.Datum;
import dev.luthier.api.training.AdamParams;
import dev.luthier.api.training.ForwardBackwardOutput;
import dev.luthier.api.training.OptimStepResponse;
import dev.luthier.client.errors.RequestFailedException;
import dev.luthier.client.training.CustomLoss;
import dev.luthier.client.training.TrainingClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The training client against a real server on loopback. */
class TrainingClientTest {
    @TempDir
    static Path dir;
    static LoopbackServer server;
    static ServiceClient service;
    static final List<Datum> BATCH = List.of(Data.sft(1, 2, 3, 4, 5, 6), Data.sft(7, 8, 9, 10, 11), Data.sft(20, 21, 22, 23));
    static final AdamParams ADAM = AdamParams.defaults().withLearningRate(0.02);

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

    static double loss(ForwardBackwardOutput out) {
        return out.metrics().get("loss:sum");
    }

    @Test
    void pipelinedCrossEntropyStepsLowerTheLoss() {
        TrainingClient training = service.createLoraTrainingClient(LoopbackServer.MODEL, 4);
        assertThat(training.modelId()).isEqualTo(service.sessionId() + ":train:" + training.modelId().split(":")[2]);
        // Issue all 20 calls back to back; seq_ids and turns keep them in order on the server.
        List<CompletableFuture<ForwardBackwardOutput>> losses = new ArrayList<>();
        List<CompletableFuture<OptimStepResponse>> steps = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            losses.add(training.forwardBackward(BATCH, "cross_entropy"));
            steps.add(training.optimStep(AdamParams.defaults().withLearningRate(0.01)));
        }
        CompletableFuture.allOf(steps.toArray(CompletableFuture[]::new)).join();
        double[] l = losses.stream().mapToDouble(f -> loss(f.join())).toArray();
        for (int i = 1; i < l.length; i++) {
            assertThat(l[i]).as("loss after step %d of %s", i, java.util.Arrays.toString(l)).isLessThan(l[i - 1]);
        }
        ForwardBackwardOutput first = losses.getFirst().join();
        assertThat(first.lossFnOutputs()).hasSize(3);
        assertThat(first.lossFnOutputs().get(0).get("logprobs").toFloats()).hasSize(5);
        assertThat(first.lossFnOutputs().get(2).get("logprobs").toFloats()).hasSize(3);
    }

    @Test
    void importanceSamplingAndPpoStepsRun() {
        TrainingClient training = service.createLoraTrainingClient(LoopbackServer.MODEL, 4);
        List<Datum> rl = List.of(Data.rl(new int[]{1, 2, 3, 4, 5}, -4.5f, 1f), Data.rl(new int[]{5, 6, 7}, -4.5f, -0.5f));
        ForwardBackwardOutput is = training.forwardBackward(rl, "importance_sampling").join();
        training.optimStep(ADAM).join();
        ForwardBackwardOutput ppo = training.forwardBackward(rl, "ppo", Map.of("clip_low_threshold", 0.9, "clip_high_threshold", 1.1)).join();
        training.optimStep(ADAM).join();
        assertThat(is.metrics()).containsKey("loss:sum");
        assertThat(ppo.metrics()).containsKey("loss:sum");
        assertThat(ppo.lossFnOutputs()).hasSize(2);
        assertThat(ppo.lossFnOutputs().get(0).get("logprobs").toFloats()).hasSize(4);
        // The IS step pushed up the positively advantaged tokens: their logprobs rose.
        float[] before = is.lossFnOutputs().get(0).get("logprobs").toFloats();
        float[] after = ppo.lossFnOutputs().get(0).get("logprobs").toFloats();
        assertThat(sum(after)).isGreaterThan(sum(before));
    }

    static double sum(float[] a) {
        double s = 0;
        for (float f : a) {
            s += f;
        }
        return s;
    }

    @Test
    void forwardLeavesTheWeightsAlone() {
        TrainingClient training = service.createLoraTrainingClient(LoopbackServer.MODEL, 4);
        double a = loss(training.forward(BATCH, "cross_entropy").join());
        training.forward(BATCH, "cross_entropy").join();
        training.optimStep(ADAM).join(); // no gradients were accumulated
        double b = loss(training.forward(BATCH, "cross_entropy").join());
        assertThat(b).isCloseTo(a, within(1e-6));
    }

    @Test
    void savedStateLoadsWithAndWithoutTheOptimizer() {
        TrainingClient original = service.createLoraTrainingClient(LoopbackServer.MODEL, 4, 5L, true, true, true, Map.of("k", "v"));
        for (int i = 0; i < 3; i++) {
            original.forwardBackward(BATCH, "cross_entropy");
            original.optimStep(ADAM);
        }
        String path = original.saveState("three").join().path();
        assertThat(path).isEqualTo("tinker://" + original.modelId() + "/weights/three");
        double atSave = loss(original.forward(BATCH, "cross_entropy").join());
        double next = stepThenLoss(original);

        TrainingClient withOptimizer = service.createTrainingClientFromState(path, true);
        assertThat(withOptimizer.modelId()).isNotEqualTo(original.modelId());
        assertThat(loss(withOptimizer.forward(BATCH, "cross_entropy").join())).isCloseTo(atSave, within(1e-5));
        assertThat(stepThenLoss(withOptimizer)).isCloseTo(next, within(1e-5));

        TrainingClient fresh = service.createTrainingClientFromState(path, false);
        assertThat(loss(fresh.forward(BATCH, "cross_entropy").join())).isCloseTo(atSave, within(1e-5));
        // A fresh Adam takes a different first step than the restored one.
        assertThat(Math.abs(stepThenLoss(fresh) - next)).isGreaterThan(1e-4);

        // loadState into an existing client works too.
        TrainingClient other = service.createLoraTrainingClient(LoopbackServer.MODEL, 4);
        other.loadStateWithOptimizer(path).join();
        assertThat(stepThenLoss(other)).isCloseTo(next, within(1e-5));
    }

    static double stepThenLoss(TrainingClient c) {
        c.forwardBackward(BATCH, "cross_entropy");
        c.optimStep(ADAM);
        return loss(c.forward(BATCH, "cross_entropy").join());
    }

    @Test
    void customCrossEntropyMatchesTheBuiltInOne() {
        TrainingClient builtIn = service.createLoraTrainingClient(LoopbackServer.MODEL, 4, 42L, true, true, true, null);
        TrainingClient custom = service.createLoraTrainingClient(LoopbackServer.MODEL, 4, 42L, true, true, true, null);
        // Move both away from the zero-initialised LoRA B so the second step's gradient involves every LoRA matrix.
        for (TrainingClient c : List.of(builtIn, custom)) {
            c.forwardBackward(BATCH, "cross_entropy");
            c.optimStep(ADAM);
        }
        ForwardBackwardOutput reference = builtIn.forwardBackward(BATCH, "cross_entropy").join();
        builtIn.optimStep(ADAM);
        CustomLoss crossEntropy = (data, logprobs) -> {
            double loss = 0;
            List<float[]> grads = new ArrayList<>();
            for (int i = 0; i < data.size(); i++) {
                float[] w = data.get(i).lossFnInputs().get("weights").toFloats();
                float[] g = new float[w.length];
                for (int t = 0; t < w.length; t++) {
                    loss -= w[t] * logprobs.get(i)[t];
                    g[t] = -w[t];
                }
                grads.add(g);
            }
            return new CustomLoss.Result(loss, grads, Map.of("tokens:sum", 12.0));
        };
        ForwardBackwardOutput out = custom.forwardBackwardCustom(BATCH, crossEntropy).join();
        custom.optimStep(ADAM);
        assertThat(out.metrics().get("loss:sum")).isCloseTo(loss(reference), within(1e-4));
        assertThat(out.metrics()).containsEntry("tokens:sum", 12.0);
        assertThat(out.lossFnOutputs()).hasSize(3);
        double a = loss(builtIn.forward(BATCH, "cross_entropy").join());
        double b = loss(custom.forward(BATCH, "cross_entropy").join());
        assertThat(b).isCloseTo(a, within(1e-4));
        assertThat(a).isLessThan(loss(reference));
    }

    @Test
    void aFailingCustomLossFailsItsFutureAndLaterCallsStillRun() {
        TrainingClient training = service.createLoraTrainingClient(LoopbackServer.MODEL, 4);
        CompletableFuture<ForwardBackwardOutput> broken = training.forwardBackwardCustom(BATCH, (data, lp) -> {
            throw new IllegalStateException("boom");
        });
        CompletableFuture<ForwardBackwardOutput> after = training.forwardBackward(BATCH, "cross_entropy");
        assertThatThrownBy(broken::join).isInstanceOf(CompletionException.class).hasRootCauseMessage("boom");
        assertThat(loss(after.join())).isPositive();
    }

    @Test
    void unknownLossFailsWithCategoryUser() {
        TrainingClient training = service.createLoraTrainingClient(LoopbackServer.MODEL, 4);
        CompletableFuture<ForwardBackwardOutput> bad = training.forwardBackward(BATCH, "made_up");
        CompletableFuture<ForwardBackwardOutput> good = training.forwardBackward(BATCH, "cross_entropy");
        assertThatThrownBy(bad::join).isInstanceOf(CompletionException.class).cause()
                .isInstanceOf(RequestFailedException.class)
                .satisfies(e -> {
                    RequestFailedException r = (RequestFailedException) e;
                    assertThat(r.category()).isEqualTo(ErrorCategory.USER);
                    assertThat(r.error()).contains("made_up");
                });
        assertThat(loss(good.join())).isPositive();
    }

    @Test
    void unknownBaseModelIsAClearError() {
        assertThatThrownBy(() -> service.createLoraTrainingClient("no-such-model", 4))
                .isInstanceOf(RequestFailedException.class)
                .hasMessageContaining("no-such-model")
                .hasMessageContaining(LoopbackServer.MODEL)
                .satisfies(e -> assertThat(((RequestFailedException) e).category()).isEqualTo(ErrorCategory.USER));
    }

    @Test
    void emptyBatchAndNoTrainedModuleAreRejectedOnTheClient() {
        TrainingClient training = service.createLoraTrainingClient(LoopbackServer.MODEL, 4);
        assertThatThrownBy(() -> training.forwardBackward(List.of(), "cross_entropy")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> service.createLoraTrainingClient(LoopbackServer.MODEL, 4, null, false, false, false, null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void getInfoNamesTheBaseModelAndRank() {
        TrainingClient training = service.createLoraTrainingClient(LoopbackServer.MODEL, 8);
        var info = training.getInfo();
        assertThat(info.modelId()).isEqualTo(training.modelId());
        assertThat(info.loraRank()).isEqualTo(8);
        assertThat(info.modelData().modelName()).isEqualTo(LoopbackServer.MODEL);
        assertThat(service.getServerCapabilities().supportedModels()).extracting(m -> m.modelName()).contains(LoopbackServer.MODEL);
    }

    @Test
    void jsonOnlyClientTrainsToo() {
        try (ServiceClient json = new ServiceClient(server.options().withProtobuf(false))) {
            TrainingClient training = json.createLoraTrainingClient(LoopbackServer.MODEL, 4);
            double before = loss(training.forward(BATCH, "cross_entropy").join());
            training.forwardBackward(BATCH, "cross_entropy");
            training.optimStep(ADAM);
            double after = loss(training.forward(BATCH, "cross_entropy").join());
            assertThat(after).isLessThan(before);
        }
    }
}
