package dev.luthier.cookbook.distill;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.luthier.api.input.Datum;
import dev.luthier.api.input.ModelInput;
import dev.luthier.api.sampling.TokenLogprob;
import dev.luthier.api.tensor.TensorData;
import dev.luthier.api.training.AdamParams;
import dev.luthier.client.ServiceClient;
import dev.luthier.client.sampling.SamplingClient;
import dev.luthier.client.training.TrainingClient;
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
                    dir.resolve("run"), 5, 2); // groups of 4 asked 2 at a time
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
