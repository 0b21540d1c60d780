package dev.luthier.cookbook.distill;

import dev.luthier.api.input.Datum;
import dev.luthier.api.input.ModelInput;
import dev.luthier.api.sampling.SampledSequence;
import dev.luthier.api.sampling.SamplingParams;
import dev.luthier.api.sampling.Stop;
import dev.luthier.api.tensor.TensorData;
import dev.luthier.api.training.AdamParams;
import dev.luthier.client.ServiceClient;
import dev.luthier.client.sampling.SamplingClient;
import dev.luthier.client.training.TrainingClient;
import dev.luthier.cookbook.metrics.MetricsLog;
import dev.luthier.cookbook.progress.ProgressListener;
import dev.luthier.cookbook.renderers.Message;
import dev.luthier.cookbook.renderers.Renderer;
import dev.luthier.cookbook.report.HtmlReport;
import dev.luthier.cookbook.rl.ChunkedSampling;
import dev.luthier.cookbook.runs.RunConfigFile;
import dev.luthier.cookbook.sft.LearningRateSchedule;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

/**
 * On-policy distillation (the cookbook's {@code distillation.train_on_policy}): each step the student samples
 * completions of its prompts with its current weights, the teacher scores the same tokens
 * ({@code computeLogprobs}), and the student trains with {@code importance_sampling} on the advantages of
 * {@link ReverseKlAdvantages}, its sampler's log-probabilities as the behaviour policy. There is no task reward: the
 * student only learns to put its probability where the teacher does.
 */
public final class OnPolicyDistillation {
    private final ServiceClient service;
    private final DistillConfig config;
    private final Renderer renderer;
    private final ProgressListener progress;

    public OnPolicyDistillation(ServiceClient service, DistillConfig config, Renderer renderer, ProgressListener progress) {
        this.service = service;
        this.config = config;
        this.renderer = renderer;
        this.progress = progress == null ? ProgressListener.NONE : progress;
    }

    /** One sampled completion with both models' log-probabilities of its tokens. */
    record ScoredCompletion(int[] prompt, int[] completion, float[] studentLogprobs, float[] teacherLogprobs) {
    }

    public DistillResult train(List<List<Message>> prompts) {
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("no prompts to distill on");
        }
        List<int[]> promptTokens = new ArrayList<>(prompts.size());
        for (List<Message> p : prompts) {
            promptTokens.add(renderer.buildGenerationPrompt(p));
        }
        var configFile = RunConfigFile.write(config.logDir(), config);
        TrainingClient training = config.loadCheckpoint().isPresent()
                ? service.createTrainingClientFromState(config.loadCheckpoint().get(), false)
                : service.createLoraTrainingClient(config.modelName(), config.rank(), config.seed(), true, true, true, null);
        SamplingClient teacher = service.createSamplingClient(config.teacher());
        Stop stop = !renderer.stopTokenIds().isEmpty()
                ? Stop.tokens(renderer.stopTokenIds().stream().mapToInt(Integer::intValue).toArray())
                : !renderer.stopStrings().isEmpty() ? new Stop.Strings(renderer.stopStrings()) : null;

        int perStep = Math.min(config.promptsPerStep(), prompts.size());
        int stepsPerPass = prompts.size() / perStep;
        AdamParams adam = AdamParams.defaults();
        LearningRateSchedule lrSchedule = LearningRateSchedule.create(config.schedule(), config.learningRate(), 0, config.steps());
        Map<String, Double> first = null;
        Map<String, Double> last = Map.of();
        progress.start("distill", config.steps());
        try (MetricsLog log = MetricsLog.open(config.logDir())) {
            List<Integer> order = null;
            for (int step = 0; step < config.steps(); step++) {
                int pass = step / stepsPerPass;
                int within = step % stepsPerPass;
                if (within == 0 || order == null) {
                    order = passOrder(prompts.size(), config.seed(), pass);
                }
                long start = System.nanoTime();
                SamplingClient student = training.saveWeightsAndGetSamplingClient().join();
                List<CompletableFuture<List<ScoredCompletion>>> groups = new ArrayList<>();
                for (int i = 0; i < perStep; i++) {
                    int prompt = order.get(within * perStep + i);
                    SamplingParams params = new SamplingParams(config.maxTokens(),
                            BigInteger.valueOf(config.seed()).multiply(BigInteger.valueOf(1_000_003L))
                                    .add(BigInteger.valueOf((long) step * perStep + i)),
                            stop, config.temperature(), -1, 1.0);
                    int[] tokens = promptTokens.get(prompt);
                    groups.add(ChunkedSampling.sample(student, ModelInput.ofTokens(tokens), config.groupSize(),
                            config.samplesPerRequest(), params).thenCompose(r -> scoreGroup(teacher, tokens, r)));
                }
                List<ScoredCompletion> completions = new ArrayList<>();
                for (var g : groups) {
                    completions.addAll(g.join());
                }
                double sampleSeconds = (System.nanoTime() - start) / 1e9;

                List<Datum> data = new ArrayList<>(completions.size());
                double klSum = 0;
                double studentSum = 0;
                double teacherSum = 0;
                long tokens = 0;
                for (ScoredCompletion c : completions) {
                    if (c.completion().length == 0) {
                        continue;
                    }
                    float[] advantages = ReverseKlAdvantages.compute(c.studentLogprobs(), c.teacherLogprobs(),
                            config.klCoef(), config.klDiscount());
                    data.add(datum(c, advantages));
                    for (int t = 0; t < c.completion().length; t++) {
                        klSum += (double) c.studentLogprobs()[t] - c.teacherLogprobs()[t];
                        studentSum += c.studentLogprobs()[t];
                        teacherSum += c.teacherLogprobs()[t];
                    }
                    tokens += c.completion().length;
                }
                double lr = lrSchedule.learningRate(step);
                if (!data.isEmpty()) {
                    var fb = training.forwardBackward(data, "importance_sampling");
                    var optim = training.optimStep(adam.withLearningRate(lr));
                    fb.join();
                    optim.join();
                }
                Map<String, Double> metrics = new LinkedHashMap<>();
                metrics.put("reverse_kl", tokens == 0 ? 0.0 : klSum / tokens);
                metrics.put("student_logprob", tokens == 0 ? 0.0 : studentSum / tokens);
                metrics.put("teacher_logprob", tokens == 0 ? 0.0 : teacherSum / tokens);
                metrics.put("tokens", (double) tokens);
                metrics.put("completions", (double) data.size());
                metrics.put("learning_rate", lr);
                metrics.put("time/sample_and_score", sampleSeconds);
                metrics.put("time/step", (System.nanoTime() - start) / 1e9);
                log.log(step, metrics);
                if (first == null) {
                    first = metrics;
                }
                last = metrics;
                progress.advance(step + 1, String.format(Locale.ROOT, "reverse KL %.4f/token, %d tokens",
                        metrics.get("reverse_kl"), tokens));
            }
            String statePath = training.saveState("final").join().path();
            String samplerPath = training.saveWeightsForSampler("final").join().path();
            var report = HtmlReport.write(config.logDir(), "On-policy distillation: " + config.modelName() + " from " + config.teacher());
            return new DistillResult(config.steps(), statePath, samplerPath, log.file(), configFile, report,
                    first == null ? Map.of() : first, last);
        } finally {
            progress.finish();
        }
    }

    /** The teacher's log-probabilities of each sampled completion's tokens, after the prompt. */
    private static CompletableFuture<List<ScoredCompletion>> scoreGroup(SamplingClient teacher, int[] prompt,
                                                                        List<SampledSequence> sequences) {
        List<CompletableFuture<ScoredCompletion>> scored = new ArrayList<>();
        for (SampledSequence s : sequences) {
            if (s.logprobs() == null) {
                throw new IllegalStateException("the sampler returned no logprobs for a sequence");
            }
            int[] full = concat(prompt, s.tokens());
            if (s.tokens().length == 0) {
                scored.add(CompletableFuture.completedFuture(new ScoredCompletion(prompt, s.tokens(), s.logprobs(), new float[0])));
                continue;
            }
            scored.add(teacher.computeLogprobs(ModelInput.ofTokens(full)).thenApply(lp ->
                    new ScoredCompletion(prompt, s.tokens(), s.logprobs(), Arrays.copyOfRange(lp, prompt.length, full.length))));
        }
        return CompletableFuture.allOf(scored.toArray(CompletableFuture[]::new))
                .thenApply(v -> scored.stream().map(CompletableFuture::join).toList());
    }

    /**
     * The importance-sampling datum of a completion: the whole sequence shifted by one; prompt targets get advantage
     * 0 (no gradient), completion targets their advantage and the sampler's log-probability.
     */
    static Datum datum(ScoredCompletion c, float[] advantages) {
        int[] full = concat(c.prompt(), c.completion());
        int n = full.length - 1;
        float[] logprobs = new float[n];
        float[] adv = new float[n];
        int offset = c.prompt().length - 1;
        for (int t = 0; t < c.completion().length; t++) {
            logprobs[offset + t] = c.studentLogprobs()[t];
            adv[offset + t] = advantages[t];
        }
        return new Datum(ModelInput.ofTokens(Arrays.copyOf(full, n)), Map.of(
                "target_tokens", TensorData.ofInts(Arrays.copyOfRange(full, 1, n + 1), n),
                "logprobs", TensorData.ofFloats(logprobs, n),
                "advantages", TensorData.ofFloats(adv, n)));
    }

    static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static List<Integer> passOrder(int n, long seed, int pass) {
        List<Integer> order = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(seed * 1_000_003L + pass));
        return order;
    }
}
