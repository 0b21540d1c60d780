package dev.luthier.cookbook.distill;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.luthier.api.input.Datum;
import dev.luthier.api.input.ModelInput;
import dev.luthier.api.sampling.TokenLogprob;
import dev.luthier.api.tensor.TensorData;
import dev.luthier.api.training.AdamParams;
import dev.luthier.client.ServiceClient;
import dev.luthier.client.sampling.SamplingClient;
import dev.luthier.client.training.TrainingClient;
import dev.luthier.cookbook.checkpoints.CheckpointLog;
import dev.luthier.cookbook.checkpoints.CheckpointRecord;
import dev.luthier.cookbook.testing.AsciiTokenizer;
import dev.luthier.cookbook.testing.TinyServer;
import dev.luthier.cookbook.progress.ProgressListener;
import dev.luthier.cookbook.renderers.Message;
import dev.luthier.cookbook.renderers.Renderer;
import dev.luthier.cookbook.renderers.Renderers;
import dev.luthier.cookbook.renderers.SupervisedExample;
import dev.luthier.cookbook.renderers.TrainOn;
import dev.luthier.cookbook.sft.ScheduleKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Distillation end to end on loopback: the teacher is the tiny base model after some SFT on one reply and the student
 * starts from an earlier checkpoint of the same SFT, so it differs from the teacher in a way a LoRA adapter can learn.
 */
class OnPolicyDistillationTest {

    @Test
    void reducesTheReverseKlToTheTeacher(@TempDir Path dir) throws Exception {
        Renderer renderer = Renderers.create("role_colon", new AsciiTokenizer());
        List<List<Message>> prompts = List.of(List.of(Message.user("a")), List.of(Message.user("b")),
                List.of(Message.user("c")), List.of(Message.user("d")));
        try (TinyServer server = new TinyServer(dir.resolve("server"));
             ServiceClient service = server.client()) {
            String[] checkpoints = sftTeacher(service, renderer, prompts);
            DistillConfig config = new DistillConfig(TinyServer.MODEL, checkpoints[1], 8, 5e-3, ScheduleKind.CONSTANT, 4, 4, 6, 3,
                    1.0, 1.0, 0.0, "role_colon", Optional.empty(), Optional.empty(), Optional.of(checkpoints[0]),
                    dir.resolve("run"), 5, 2, 0); // groups of 4 asked 2 at a time
            DistillResult result = new OnPolicyDistillation(service, config, renderer, ProgressListener.NONE).train(prompts);

            List<Double> kl = new ArrayList<>();
            for (String line : Files.readAllLines(result.metricsFile())) {
                kl.add(new ObjectMapper().readTree(line).get("reverse_kl").asDouble());
            }
            assertThat(kl).hasSize(6);
            // the sampled estimate: the student's samples start far from what the teacher would write, then move closer
            assertThat(kl.getFirst()).isGreaterThan(1.0);
            assertThat((kl.get(4) + kl.get(5)) / 2).isLessThan((kl.get(0) + kl.get(1)) / 2);

            // exactly, from full next-token distributions at each prompt's reply position: KL(student || teacher)
            // of the final adapter is well below that of the checkpoint the student started from
            SamplingClient teacher = service.createSamplingClient(checkpoints[1]);
            SamplingClient start = service.createSamplingClient(checkpoints[0]);
            SamplingClient trained = service.createSamplingClient(result.samplerPath());
            double before = 0;
            double after = 0;
            for (List<Message> p : prompts) {
                int[] prompt = renderer.buildGenerationPrompt(p);
                double[] q = nextTokenLogprobs(teacher, prompt);
                before += kl(nextTokenLogprobs(start, prompt), q);
                after += kl(nextTokenLogprobs(trained, prompt), q);
            }
            assertThat(before / prompts.size()).isGreaterThan(0.5);
            assertThat(after).isLessThan(before / 2);
            assertThat(result.lastMetrics().get("tokens")).isPositive();
            assertThat(result.samplerPath()).contains("/sampler_weights/final");
            assertThat(Files.readString(result.reportFile())).contains("reverse_kl");
        }
    }

    private static DistillConfig resumable(String teacher, String start, Path logDir, int steps, int saveEvery) {
        return new DistillConfig(TinyServer.MODEL, teacher, 8, 5e-3, ScheduleKind.CONSTANT, 2, 2, steps, 3, 1.0, 1.0, 0.5,
                "role_colon", Optional.empty(), Optional.empty(), Optional.of(start), logDir, 11, 16, saveEvery);
    }

    /**
     * 2 steps, then 2 more on the same log directory, against 4 without a break. Sampling is random, but seeded: the
     * prompts of a step and the seed of each of its samples depend only on the run's seed and the step, and the
     * server's sampler draws a sample's tokens from its own stream of that seed. So the resumed run samples exactly
     * what the uninterrupted one did if, and only if, the student's weights are the same; its metrics (reverse KL,
     * both models' log-probabilities, token counts) are then the same numbers. Step 3 also checks the optimizer state:
     * its weights come from an Adam step taken with the restored moments.
     */
    @Test
    void aRunStartedAgainContinuesAtItsCheckpointAndAFinishedOneIsLeftAlone(@TempDir Path dir) throws Exception {
        Renderer renderer = Renderers.create("role_colon", new AsciiTokenizer());
        List<List<Message>> prompts = List.of(List.of(Message.user("a")), List.of(Message.user("b")),
                List.of(Message.user("c")), List.of(Message.user("d")), List.of(Message.user("e")));
        Path whole = dir.resolve("whole");
        Path parts = dir.resolve("parts");
        try (TinyServer server = new TinyServer(dir.resolve("server"));
             ServiceClient service = server.client()) {
            String[] checkpoints = sftTeacher(service, renderer, prompts);
            String teacher = checkpoints[1];
            String start = checkpoints[0];
            DistillResult reference = new OnPolicyDistillation(service, resumable(teacher, start, whole, 4, 2), renderer,
                    ProgressListener.NONE).train(prompts);
            new OnPolicyDistillation(service, resumable(teacher, start, parts, 2, 2), renderer, ProgressListener.NONE)
                    .train(prompts);
            DistillResult resumed = new OnPolicyDistillation(service, resumable(teacher, start, parts, 4, 2), renderer,
                    ProgressListener.NONE).train(prompts);
            assertThat(resumed.alreadyFinished()).isFalse();

            List<JsonNode> a = lines(whole);
            List<JsonNode> b = lines(parts);
            assertThat(b).extracting(n -> n.get("step").asInt()).containsExactly(0, 1, 2, 3);
            assertThat(a).extracting(n -> n.get("step").asInt()).containsExactly(0, 1, 2, 3);
            for (int i = 0; i < 4; i++) {
                assertThat(b.get(i).get("tokens").asDouble()).as("step %d tokens", i)
                        .isEqualTo(a.get(i).get("tokens").asDouble());
                for (String key : List.of("reverse_kl", "student_logprob", "teacher_logprob", "completions", "learning_rate")) {
                    assertThat(b.get(i).get(key).asDouble()).as("step %d %s", i, key)
                            .isCloseTo(a.get(i).get(key).asDouble(), within(1e-4));
                }
            }
            // the numbers compared are not constants: the student learns between steps, and the steps differ
            assertThat(a.get(3).get("reverse_kl").asDouble()).isNotCloseTo(a.get(2).get("reverse_kl").asDouble(), within(1e-3));
            // the first step was logged before the break
            assertThat(resumed.firstMetrics().get("reverse_kl")).isEqualTo(b.getFirst().get("reverse_kl").asDouble());

            List<CheckpointRecord> saved = new CheckpointLog(whole).read();
            assertThat(saved).extracting(CheckpointRecord::name).containsExactly("step-000002", "final");
            assertThat(saved).extracting(CheckpointRecord::step).containsExactly(2L, 4L);
            assertThat(saved.getFirst().statePath()).contains("/weights/step-000002");
            assertThat(saved.getLast().samplerPath()).isEqualTo(reference.samplerPath());
            assertThat(saved.getLast().extra()).containsEntry("teacher", teacher).containsEntry("prompts_per_step", 2);

            // another teacher is another run
            assertThatThrownBy(() -> new OnPolicyDistillation(service, resumable(TinyServer.MODEL, start, parts, 6, 2), renderer,
                    ProgressListener.NONE).train(prompts))
                    .hasMessageContaining("teacher=" + teacher).hasMessageContaining("another logDir");

            // started once more, the finished run trains nothing, saves nothing and rewrites nothing
            byte[] metricsBefore = Files.readAllBytes(parts.resolve("metrics.jsonl"));
            byte[] checkpointsBefore = Files.readAllBytes(parts.resolve("checkpoints.jsonl"));
            int runsBefore = service.createRestClient().listTrainingRuns(100, 0).trainingRuns().size();
            DistillResult again = new OnPolicyDistillation(service, resumable(teacher, start, parts, 4, 2), renderer,
                    ProgressListener.NONE).train(prompts);
            assertThat(again.alreadyFinished()).isTrue();
            assertThat(again.samplerPath()).isEqualTo(resumed.samplerPath());
            assertThat(again.lastMetrics().get("reverse_kl")).isEqualTo(b.getLast().get("reverse_kl").asDouble());
            assertThat(parts.resolve("metrics.jsonl")).hasBinaryContent(metricsBefore);
            assertThat(parts.resolve("checkpoints.jsonl")).hasBinaryContent(checkpointsBefore);
            assertThat(service.createRestClient().listTrainingRuns(100, 0).trainingRuns()).hasSize(runsBefore);
        }
    }

    private static List<JsonNode> lines(Path logDir) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(logDir.resolve("metrics.jsonl"))) {
            out.add(new ObjectMapper().readTree(line));
        }
        return out;
    }

    /** log p(next token | prompt) for every token of the vocabulary, from the top-96 logprobs of one more position. */
    private static double[] nextTokenLogprobs(SamplingClient sampler, int[] prompt) {
        int[] extended = Arrays.copyOf(prompt, prompt.length + 1);
        List<TokenLogprob> row = sampler.topkPromptLogprobs(ModelInput.ofTokens(extended), AsciiTokenizer.VOCAB).join()
                .get(prompt.length);
        assertThat(row).hasSize(AsciiTokenizer.VOCAB);
        double[] out = new double[AsciiTokenizer.VOCAB];
        for (TokenLogprob t : row) {
            out[t.token()] = t.logprob();
        }
        return out;
    }

    /** Σ p (log p − log q). */
    private static double kl(double[] logp, double[] logq) {
        double s = 0;
        for (int i = 0; i < logp.length; i++) {
            s += Math.exp(logp[i]) * (logp[i] - logq[i]);
        }
        return s;
    }

    /**
     * A LoRA on the base model trained by cross-entropy to answer every prompt with "ok": its state after 2 steps
     * (where the student starts) and its sampler weights after 8 (the teacher).
     */
    private static String[] sftTeacher(ServiceClient service, Renderer renderer, List<List<Message>> prompts) {
        TrainingClient sft = service.createLoraTrainingClient(TinyServer.MODEL, 8, 99L, true, true, true, null);
        List<Datum> data = new ArrayList<>();
        for (List<Message> p : prompts) {
            List<Message> conversation = new ArrayList<>(p);
            conversation.add(Message.assistant("ok"));
            SupervisedExample e = renderer.buildSupervisedExample(conversation, TrainOn.LAST_ASSISTANT_MESSAGE);
            int n = e.length() - 1;
            data.add(new Datum(ModelInput.ofTokens(Arrays.copyOf(e.tokens(), n)),
                    Map.of("target_tokens", TensorData.ofInts(Arrays.copyOfRange(e.tokens(), 1, n + 1), n),
                            "weights", TensorData.ofFloats(Arrays.copyOfRange(e.weights(), 1, n + 1), n))));
        }
        String early = null;
        for (int i = 0; i < 8; i++) {
            sft.forwardBackward(data, "cross_entropy");
            sft.optimStep(AdamParams.defaults().withLearningRate(2e-2));
            if (i == 1) {
                early = sft.saveState("early").join().path();
            }
        }
        return new String[]{early, sft.saveWeightsForSampler("teacher").join().path()};
    }
}
