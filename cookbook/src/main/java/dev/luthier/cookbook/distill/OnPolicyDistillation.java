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
import dev.luthier.cookbook.checkpoints.CheckpointLog;
import dev.luthier.cookbook.checkpoints.CheckpointRecord;
import dev.luthier.cookbook.checkpoints.ResumePoint;
import dev.luthier.cookbook.data.EpochBatches;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * On-policy distillation (the cookbook's {@code distillation.train_on_policy}): each step the student samples
 * completions of its prompts with its current weights, the teacher scores the same tokens
 * ({@code computeLogprobs}), and the student trains with {@code importance_sampling} on the advantages of
 * {@link ReverseKlAdvantages}, its sampler's log-probabilities as the behaviour policy. There is no task reward: the
 * student only learns to put its probability where the teacher does.
 *
 * <p>Every {@code saveEvery} steps the state (weights and Adam moments) is saved and recorded in
 * {@code checkpoints.jsonl}, as supervised training does; started again with the same log directory, a run loads the
 * last recorded state with its optimizer and continues at that step. A step's prompts ({@link EpochBatches}) and its
 * sampling seeds depend only on the run's seed and the step, so a resumed run samples what the uninterrupted run would
 * have.
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

    /**
     * Distills on {@code prompts}, saving a checkpoint every {@code saveEvery} steps and the result as {@code final}
     * (state and sampler weights). On a log directory with checkpoints of this run it continues from the last one; when
     * that is the final one, there is nothing to do and the result is read back from the directory.
     */
    public DistillResult train(List<List<Message>> prompts) {
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("no prompts to distill on");
        }
        List<int[]> promptTokens = new ArrayList<>(prompts.size());
        for (List<Message> p : prompts) {
            promptTokens.add(renderer.buildGenerationPrompt(p));
        }
        int perStep = Math.min(config.promptsPerStep(), prompts.size());
        EpochBatches batches = new EpochBatches(prompts.size(), perStep, config.seed());
        Map<String, Object> identity = new LinkedHashMap<>();
        identity.put("prompts", prompts.size());
        identity.put("prompts_per_step", perStep);
        identity.put("group_size", config.groupSize());
        identity.put("samples_per_request", config.samplesPerRequest());
        identity.put("max_tokens", config.maxTokens());
        identity.put("temperature", config.temperature());
        identity.put("kl_coef", config.klCoef());
        identity.put("kl_discount", config.klDiscount());
        identity.put("seed", config.seed());
        identity.put("model_name", config.modelName());
        identity.put("rank", config.rank());
        identity.put("renderer", config.renderer());
        identity.put("teacher", config.teacher());
        identity.put("start", config.loadCheckpoint().orElse(config.modelName()));

        // checked before config.json is written, so that a refused run leaves the other run's directory as it was
        ResumePoint resume = ResumePoint.find(config.logDir(), identity, config.steps());
        if (resume.finished()) {
            return alreadyFinished(resume);
        }
        var configFile = RunConfigFile.write(config.logDir(), config);
        MetricsLog.dropFrom(config.logDir(), resume.step());
        CheckpointLog checkpoints = new CheckpointLog(config.logDir());
        TrainingClient training = resume.resumed()
                ? service.createTrainingClientFromState(resume.checkpoint().get().statePath(), true)
                : config.loadCheckpoint().isPresent()
                ? service.createTrainingClientFromState(config.loadCheckpoint().get(), false)
                : service.createLoraTrainingClient(config.modelName(), config.rank(), config.seed(), true, true, true, null);
        SamplingClient teacher = service.createSamplingClient(config.teacher());
        Stop stop = !renderer.stopTokenIds().isEmpty()
                ? Stop.tokens(renderer.stopTokenIds().stream().mapToInt(Integer::intValue).toArray())
                : !renderer.stopStrings().isEmpty() ? new Stop.Strings(renderer.stopStrings()) : null;

        AdamParams adam = AdamParams.defaults();
        LearningRateSchedule lrSchedule = LearningRateSchedule.create(config.schedule(), config.learningRate(), 0, config.steps());
        Map<String, Double> first = null;
        Map<String, Double> last = Map.of();
        progress.start("distill", config.steps());
        try (MetricsLog log = MetricsLog.open(config.logDir())) {
            int startStep = (int) resume.step();
            if (startStep > 0) {
                progress.advance(startStep, "resumed at step " + startStep);
            }
            for (int step = startStep; step < config.steps(); step++) {
                int[] batch = batches.batch(step);
                long start = System.nanoTime();
                SamplingClient student = training.saveWeightsAndGetSamplingClient().join();
                List<CompletableFuture<List<ScoredCompletion>>> groups = new ArrayList<>();
                for (int i = 0; i < perStep; i++) {
                    // the seed of a sample depends only on the run's seed, the step and the prompt's place in it
                    SamplingParams params = new SamplingParams(config.maxTokens(),
                            BigInteger.valueOf(config.seed()).multiply(BigInteger.valueOf(1_000_003L))
                                    .add(BigInteger.valueOf((long) step * perStep + i)),
                            stop, config.temperature(), -1, 1.0);
                    int[] tokens = promptTokens.get(batch[i]);
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
                int done = step + 1;
                if (config.saveEvery() > 0 && done % config.saveEvery() == 0 && done < config.steps()) {
                    String name = String.format(Locale.ROOT, "step-%06d", done);
                    String state = training.saveState(name).join().path();
                    checkpoints.append(new CheckpointRecord(name, done, batches.epochOf(done), state, null, false, identity));
                }
            }
            CompletableFuture<String> state = training.saveState("final").thenApply(r -> r.path());
            CompletableFuture<String> sampler = training.saveWeightsForSampler("final").thenApply(r -> r.path());
            String statePath = state.join();
            String samplerPath = sampler.join();
            checkpoints.append(new CheckpointRecord("final", config.steps(), batches.epochOf(config.steps()), statePath,
                    samplerPath, true, identity));
            var report = HtmlReport.write(config.logDir(), "On-policy distillation: " + config.modelName() + " from " + config.teacher());
            if (resume.resumed()) {
                // the run's first step was logged by the run that was interrupted
                first = firstLogged(MetricsLog.read(config.logDir()));
            }
            return new DistillResult(config.steps(), statePath, samplerPath, log.file(), configFile, report,
                    first == null ? Map.of() : first, last, false);
        } finally {
            progress.finish();
        }
    }

    /** The result of a run whose final checkpoint is already in the log directory, read back from it. */
    private DistillResult alreadyFinished(ResumePoint resume) {
        CheckpointRecord done = resume.checkpoint().orElseThrow();
        progress.start("distill", config.steps());
        progress.advance(config.steps(), "already finished (" + config.logDir() + " holds its final checkpoint)");
        progress.finish();
        List<Map<String, Double>> logged = MetricsLog.read(config.logDir());
        Map<String, Double> first = firstLogged(logged);
        Map<String, Double> last = firstLogged(logged.reversed());
        return new DistillResult(config.steps(), done.statePath(), done.samplerPath(),
                config.logDir().resolve(MetricsLog.FILE_NAME), config.logDir().resolve(RunConfigFile.FILE_NAME),
                config.logDir().resolve(HtmlReport.FILE_NAME), first == null ? Map.of() : first,
                last == null ? Map.of() : last, true);
    }

    /** The first of {@code lines} with a step's metrics ({@code reverse_kl}), without its {@code step}; null when none. */
    /** As {@link MetricsLog#firstWith}, with null where no line has the key. */
    private static Map<String, Double> firstLogged(List<Map<String, Double>> lines) {
        Map<String, Double> m = MetricsLog.firstWith(lines, "reverse_kl");
        return m.isEmpty() ? null : m;
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
}
