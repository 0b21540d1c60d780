package dev.luthier.cookbook.rl;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.luthier.api.input.Datum;
import dev.luthier.api.input.ModelInput;
import dev.luthier.api.tensor.TensorData;
import dev.luthier.api.training.AdamParams;
import dev.luthier.api.training.ForwardBackwardOutput;
import dev.luthier.client.ServiceClient;
import dev.luthier.client.sampling.SamplingClient;
import dev.luthier.client.training.TrainingClient;
import dev.luthier.cookbook.checkpoints.CheckpointLog;
import dev.luthier.cookbook.checkpoints.CheckpointRecord;
import dev.luthier.cookbook.checkpoints.ResumePoint;
import dev.luthier.cookbook.config.ConfigOverrides;
import dev.luthier.cookbook.metrics.MetricsLog;
import dev.luthier.cookbook.progress.ProgressListener;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The RL training loop over the SDK (the Python cookbook's {@code rl.train}). Each step samples
 * {@code groupsPerBatch} groups of {@code groupSize} episodes, gives every trajectory its reward minus its group's
 * mean as advantage, drops groups whose rewards are all equal, optionally folds a KL penalty against the frozen base
 * model into the advantages, and trains with {@code importance_sampling}, {@code ppo}, {@code cispo} or {@code dro}:
 * the datums are split into {@code numSubsteps} minibatches, each sent as a forward_backward followed by an Adam
 * optim_step (all submitted at once; the server runs them in order). Then it saves the weights for the next step's
 * sampler.
 *
 * <p>In {@code async} mode a producer keeps sampling groups with the newest saved weights while the trainer
 * trains, at most {@code max(1, maxStaleness)·groupsPerBatch} groups ahead of it. A group's staleness is the number
 * of optimizer steps taken between the weights it was sampled with and the step that trains on it; a group more
 * than {@code maxStaleness} steps stale is dropped and counted ({@link RlMetrics#DROPPED_GROUPS}). A step that
 * trains nothing (all groups constant) takes no optimizer step and so ages nothing.
 *
 * <p>Writes {@code config.json}, {@code metrics.jsonl} (keys in {@link RlMetrics}) and {@code checkpoints.jsonl} to
 * the log directory. Every {@code saveEvery} steps, and at the end, the state (weights and Adam moments) and the
 * sampler weights are saved and recorded in {@code checkpoints.jsonl}. {@link #run()} on a log directory that has
 * checkpoints resumes: it loads the last recorded state with its optimizer and continues at that step, appending to
 * {@code metrics.jsonl}. In sync mode the resumed steps sample the problems they would have had (the groups of step
 * {@code s} depend only on the seed and {@code s}); in async mode the producer restarts at the first group of that
 * step, and which groups each step trains on depends on timing, as it does without a break. A checkpoint made with
 * another model, rank, seed, batch shape or mode is refused.
 */
public final class RlTrainer {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final ServiceClient service;
    private final RlConfig config;
    private final RlDataset dataset;
    private final List<EnvGroupBuilder> testGroups;
    private final ProgressListener progress;
    private final Rollouts rollouts;

    /**
     * @param testGroups groups evaluated (one episode each) at step 0, every {@code evalEvery} steps and at the end;
     *                   may be empty
     */
    public RlTrainer(ServiceClient service, RlConfig config, RlDataset dataset, List<EnvGroupBuilder> testGroups,
                     ProgressListener progress) {
        this.service = service;
        this.config = config;
        this.dataset = dataset;
        this.testGroups = List.copyOf(testGroups);
        this.progress = progress == null ? ProgressListener.NONE : progress;
        this.rollouts = new Rollouts(config.maxTokens(), config.temperature(), config.samplesPerRequest());
    }

    public RlTrainer(ServiceClient service, RlConfig config, RlDataset dataset) {
        this(service, config, dataset, List.of(), ProgressListener.NONE);
    }

    /**
     * Runs every step on a new LoRA adapter, or, when the log directory has a checkpoint, every step after it on the
     * checkpoint's weights and optimizer state; saves the final weights.
     */
    public RlResult run() {
        ResumePoint resume = ResumePoint.find(config.logDir(), identity(), config.steps());
        if (resume.finished()) {
            return alreadyFinished(resume);
        }
        TrainingClient training = resume.checkpoint().isPresent()
                ? service.createTrainingClientFromState(resume.checkpoint().get().statePath(), true)
                : service.createLoraTrainingClient(config.modelName(), config.rank(), config.seed(), true, true, true, null);
        return run(training, resume);
    }

    /**
     * Runs every step on {@code training}'s adapter, e.g. one restored from a supervised run's state with
     * {@link ServiceClient#createTrainingClientFromState} (the cookbook's {@code load_checkpoint_path}), and saves the
     * final weights. The KL penalty's reference is still the base model {@code config.modelName()}. This always
     * starts at step 0: a log directory with checkpoints is refused (resume it with {@link #run()}).
     */
    public RlResult run(TrainingClient training) {
        Optional<CheckpointRecord> saved = new CheckpointLog(config.logDir()).lastWithState();
        if (saved.isPresent()) {
            throw new IllegalArgumentException(config.logDir() + " has checkpoints up to step " + saved.get().step()
                    + ": resume that run with run() (luthier rl with the same logDir), or use another logDir");
        }
        return run(training, ResumePoint.find(config.logDir(), identity(), config.steps()));
    }

    /** The log directory holds this run's final checkpoint: nothing is trained or written, the result is read back. */
    private RlResult alreadyFinished(ResumePoint resume) {
        CheckpointRecord done = resume.checkpoint().orElseThrow();
        List<Map<String, Double>> history = MetricsLog.read(config.logDir());
        progress.start("rl " + config.modelName(), config.steps());
        progress.advance(config.steps(), "already finished (" + config.logDir() + " holds its final checkpoint)");
        progress.finish();
        return new RlResult(done.samplerPath(), done.statePath(), finalMetrics(history), history, true);
    }

    private RlResult run(TrainingClient training, ResumePoint resume) {
        int start = (int) resume.step();
        MetricsLog.dropFrom(config.logDir(), start);
        writeConfig();
        SamplingClient reference = config.klPenaltyCoef() > 0 ? service.createSamplingClient(config.modelName()) : null;
        List<Map<String, Double>> history = new ArrayList<>();
        progress.start("rl " + config.modelName(), config.steps());
        progress.advance(start, start > 0 ? "resumed at step " + start : "");
        try (MetricsLog log = MetricsLog.open(config.logDir())) {
            VersionedSampler first = new VersionedSampler(training.saveWeightsAndGetSamplingClient().join(), 0);
            Loop loop = new Loop(training, reference, log, history);
            if (config.mode() == RlConfig.Mode.SYNC) {
                loop.sync(start, first);
            } else {
                loop.async(start, first);
            }
            String statePath = training.saveState("final").join().path();
            String samplerPath = training.saveWeightsForSampler("final").join().path();
            recordCheckpoint("final", config.steps(), statePath, samplerPath);
            return new RlResult(samplerPath, statePath, finalMetrics(history), history, false);
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        } finally {
            progress.finish();
        }
    }

    /** The last training step's metrics, with the test metrics of the final evaluation when there is one. */
    private static Map<String, Double> finalMetrics(List<Map<String, Double>> history) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (Map<String, Double> line : history) {
            if (line.containsKey(RlMetrics.REWARD_MEAN)) {
                out = new LinkedHashMap<>(line);
            } else {
                out.putAll(line);
            }
        }
        return out;
    }

    /** The state of one run. */
    private final class Loop {
        final TrainingClient training;
        final SamplingClient reference;
        final MetricsLog log;
        final List<Map<String, Double>> history;

        Loop(TrainingClient training, SamplingClient reference, MetricsLog log, List<Map<String, Double>> history) {
            this.training = training;
            this.reference = reference;
            this.log = log;
            this.history = history;
        }

        void sync(int start, VersionedSampler sampler) {
            for (int step = start; step < config.steps(); step++) {
                long stepStart = System.nanoTime();
                Map<String, Double> metrics = new LinkedHashMap<>();
                evaluateIfDue(step, sampler, metrics);
                List<CompletableFuture<TrajectoryGroup>> futures = new ArrayList<>();
                for (int g = 0; g < config.groupsPerBatch(); g++) {
                    long index = (long) step * config.groupsPerBatch() + g;
                    futures.add(rollouts.group(dataset.group(index), config.groupSize(), sampler, seedFor(index)));
                }
                List<TrajectoryGroup> groups = futures.stream().map(CompletableFuture::join).toList();
                metrics.put(RlMetrics.TIME_SAMPLE, seconds(stepStart));
                sampler = trainStep(step, groups, 0, metrics, stepStart, sampler);
            }
            evaluateAtEnd(sampler);
        }

        void async(int start, VersionedSampler first) {
            AtomicReference<VersionedSampler> latest = new AtomicReference<>(first);
            LinkedBlockingQueue<Object> ready = new LinkedBlockingQueue<>();
            Semaphore ahead = new Semaphore(Math.max(1, config.maxStaleness()) * config.groupsPerBatch());
            AtomicBoolean stop = new AtomicBoolean();
            Thread producer = Thread.ofPlatform().daemon().name("rl-rollouts").start(() -> {
                long index = (long) start * config.groupsPerBatch();
                try {
                    while (!stop.get()) {
                        ahead.acquire();
                        if (stop.get()) {
                            return;
                        }
                        long i = index++;
                        try {
                            rollouts.group(dataset.group(i), config.groupSize(), latest.get(), seedFor(i))
                                    .whenComplete((g, e) -> ready.add(e != null ? e : g));
                        } catch (RuntimeException e) {
                            ready.add(e);
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            VersionedSampler sampler = first;
            try {
                for (int step = start; step < config.steps(); step++) {
                    long stepStart = System.nanoTime();
                    Map<String, Double> metrics = new LinkedHashMap<>();
                    evaluateIfDue(step, sampler, metrics);
                    List<TrajectoryGroup> fresh = new ArrayList<>();
                    int dropped = 0;
                    while (fresh.size() < config.groupsPerBatch()) {
                        Object next = ready.take();
                        ahead.release();
                        if (next instanceof Throwable t) {
                            throw t instanceof CompletionException c && c.getCause() instanceof RuntimeException r ? r
                                    : t instanceof RuntimeException r ? r : new CompletionException(t);
                        }
                        TrajectoryGroup g = (TrajectoryGroup) next;
                        if (sampler.version() - g.samplerVersion() > config.maxStaleness()) {
                            if (++dropped > 100 * config.groupsPerBatch()) {
                                throw new IllegalStateException("async RL dropped " + dropped + " stale groups in step "
                                        + step + " without finding " + config.groupsPerBatch() + " fresh ones");
                            }
                        } else {
                            fresh.add(g);
                        }
                    }
                    metrics.put(RlMetrics.TIME_SAMPLE, seconds(stepStart));
                    sampler = trainStep(step, fresh, dropped, metrics, stepStart, sampler);
                    latest.set(sampler);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for rollouts", e);
            } finally {
                stop.set(true);
                producer.interrupt();
            }
            evaluateAtEnd(sampler);
        }

        /** Trains on {@code groups}, logs the step and returns the sampler for the new weights. */
        VersionedSampler trainStep(int step, List<TrajectoryGroup> groups, int dropped, Map<String, Double> metrics,
                                   long start, VersionedSampler current) {
            metrics.putAll(RlMetrics.environment(groups));
            double stalenessSum = 0;
            int stalenessMax = 0;
            for (TrajectoryGroup g : groups) {
                stalenessSum += current.version() - g.samplerVersion();
                stalenessMax = Math.max(stalenessMax, current.version() - g.samplerVersion());
            }
            metrics.put(RlMetrics.STALENESS_MEAN, groups.isEmpty() ? 0 : stalenessSum / groups.size());
            metrics.put(RlMetrics.STALENESS_MAX, (double) stalenessMax);
            metrics.put(RlMetrics.DROPPED_GROUPS, (double) dropped);

            List<TrainingSequence> sequences = new ArrayList<>();
            int skipped = 0;
            for (TrajectoryGroup g : groups) {
                double[] rewards = g.totalRewards();
                if (config.removeConstantRewardGroups() && Advantages.constant(rewards)) {
                    skipped++;
                    continue;
                }
                double[] advantages = Advantages.centered(rewards);
                for (int i = 0; i < advantages.length; i++) {
                    sequences.addAll(TrajectorySequences.of(g.trajectories().get(i), advantages[i]));
                }
            }
            metrics.put(RlMetrics.SKIPPED_GROUPS, (double) skipped);
            long trainStart = System.nanoTime();
            VersionedSampler next;
            if (sequences.isEmpty()) {
                metrics.put(RlMetrics.STEP_SKIPPED, 1.0);
                next = null;
            } else {
                metrics.put(RlMetrics.STEP_SKIPPED, 0.0);
                if (reference != null) {
                    List<CompletableFuture<float[]>> refs = sequences.stream()
                            .map(s -> reference.computeLogprobs(ModelInput.ofTokens(s.tokens()))).toList();
                    KlPenalty.Folded folded = KlPenalty.fold(sequences,
                            refs.stream().map(CompletableFuture::join).toList(), config.klPenaltyCoef());
                    sequences = folded.sequences();
                    metrics.put(RlMetrics.KL_POLICY_BASE, folded.meanLogRatio());
                }
                List<Datum> datums = sequences.stream().map(TrainingSequence::toDatum).toList();
                List<List<Datum>> minibatches = minibatches(datums, Math.min(config.numSubsteps(), datums.size()));
                List<CompletableFuture<ForwardBackwardOutput>> passes = new ArrayList<>();
                List<CompletableFuture<?>> optims = new ArrayList<>();
                AdamParams adam = AdamParams.defaults().withLearningRate(config.learningRate());
                for (List<Datum> minibatch : minibatches) {
                    passes.add(training.forwardBackward(minibatch, config.loss().wireName(), config.lossFnConfig()));
                    optims.add(training.optimStep(adam));
                }
                List<Map<String, TensorData>> outputs = new ArrayList<>();
                double lossSum = 0;
                boolean lossReported = true;
                for (int i = 0; i < minibatches.size(); i++) {
                    ForwardBackwardOutput out = passes.get(i).join();
                    optims.get(i).join();
                    outputs.addAll(out.lossFnOutputs());
                    Double loss = out.metrics().get("loss:sum");
                    lossReported &= loss != null;
                    lossSum += loss == null ? 0 : loss;
                }
                metrics.put(RlMetrics.DATUMS, (double) datums.size());
                metrics.put(RlMetrics.SUBSTEPS, (double) minibatches.size());
                if (lossReported) {
                    metrics.put(RlMetrics.LOSS, lossSum);
                }
                metrics.putAll(samplerLearnerGap(sequences, outputs));
                next = new VersionedSampler(training.saveWeightsAndGetSamplingClient().join(), current.version() + 1);
            }
            metrics.put(RlMetrics.TIME_TRAIN, seconds(trainStart));
            if (config.saveEvery() > 0 && (step + 1) % config.saveEvery() == 0 && step + 1 < config.steps()) {
                String name = String.format(Locale.ROOT, "step-%06d", step + 1);
                recordCheckpoint(name, step + 1, training.saveState(name).join().path(),
                        training.saveWeightsForSampler(name).join().path());
            }
            metrics.put(RlMetrics.TIME_STEP, seconds(start));
            record(step, metrics);
            progress.advance(step + 1, String.format(Locale.ROOT, "reward %.3f%s", metrics.get(RlMetrics.REWARD_MEAN),
                    metrics.containsKey(RlMetrics.CORRECT) ? String.format(Locale.ROOT, " correct %.3f",
                            metrics.get(RlMetrics.CORRECT)) : ""));
            // when nothing was trained the weights did not change: keep sampling the current ones
            return next == null ? current : next;
        }

        void evaluateIfDue(int step, VersionedSampler sampler, Map<String, Double> metrics) {
            if (!testGroups.isEmpty() && config.evalEvery() > 0 && step % config.evalEvery() == 0) {
                metrics.putAll(evaluate(sampler));
            }
        }

        void evaluateAtEnd(VersionedSampler sampler) {
            if (!testGroups.isEmpty() && config.evalEvery() > 0) {
                Map<String, Double> metrics = evaluate(sampler);
                record(config.steps(), metrics);
            }
        }

        Map<String, Double> evaluate(VersionedSampler sampler) {
            List<CompletableFuture<TrajectoryGroup>> futures = new ArrayList<>();
            for (int i = 0; i < testGroups.size(); i++) {
                futures.add(rollouts.group(testGroups.get(i), 1, sampler, seedFor(-1 - i)));
            }
            Map<String, Double> out = new LinkedHashMap<>();
            RlMetrics.environment(futures.stream().map(CompletableFuture::join).toList())
                    .forEach((k, v) -> out.put(RlMetrics.TEST_PREFIX + k, v));
            return out;
        }

        void record(int step, Map<String, Double> metrics) {
            log.log(step, metrics);
            Map<String, Double> line = new LinkedHashMap<>();
            line.put("step", (double) step);
            line.putAll(metrics);
            history.add(line);
        }
    }

    /**
     * {@code items} cut into {@code parts} consecutive runs whose sizes differ by at most one, the longer ones first
     * (the cookbook's {@code split_list}).
     */
    static <T> List<List<T>> minibatches(List<T> items, int parts) {
        if (parts < 1 || parts > items.size()) {
            throw new IllegalArgumentException("cannot split " + items.size() + " datums into " + parts + " minibatches");
        }
        List<List<T>> out = new ArrayList<>(parts);
        int from = 0;
        for (int i = 0; i < parts; i++) {
            int size = items.size() / parts + (i < items.size() % parts ? 1 : 0);
            out.add(items.subList(from, from + size));
            from += size;
        }
        return out;
    }

    /**
     * The gap between the sampler's and the learner's log-probabilities of the action tokens (the learner's come
     * from the forward-backward pass of the datum's minibatch, before that minibatch's update; {@code outputs} are
     * the passes' {@code loss_fn_outputs} in datum order), and the sampler's entropy estimate.
     */
    static Map<String, Double> samplerLearnerGap(List<TrainingSequence> sequences, List<Map<String, TensorData>> outputs) {
        double diffSum = 0;
        double squareSum = 0;
        double negLogSum = 0;
        long n = 0;
        for (int s = 0; s < sequences.size(); s++) {
            TrainingSequence seq = sequences.get(s);
            TensorData lp = outputs.get(s).get("logprobs");
            if (lp == null) {
                continue;
            }
            float[] learner = lp.floats();
            for (int t = 1; t < seq.tokens().length; t++) {
                if (seq.action()[t]) {
                    double d = seq.logprobs()[t] - learner[t - 1];
                    diffSum += d;
                    squareSum += d * d;
                    negLogSum -= seq.logprobs()[t];
                    n++;
                }
            }
        }
        Map<String, Double> m = new LinkedHashMap<>();
        if (n > 0) {
            m.put(RlMetrics.KL_SAMPLE_TRAIN_V1, diffSum / n);
            m.put(RlMetrics.KL_SAMPLE_TRAIN_V2, 0.5 * squareSum / n);
            m.put(RlMetrics.ENTROPY, negLogSum / n);
        }
        return m;
    }

    private Long seedFor(long index) {
        return Rollouts.mix(config.seed(), index, 0x5eed);
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private void writeConfig() {
        try {
            Files.createDirectories(config.logDir());
            Files.writeString(config.logDir().resolve("config.json"),
                    JSON.writeValueAsString(ConfigOverrides.describe(config)), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write config.json in " + config.logDir() + ": " + e.getMessage(), e);
        }
    }

    /**
     * What a resumed run must share with the run whose checkpoint it loads: the adapter's model and rank, and what
     * fixes which problems each step samples.
     */
    private Map<String, Object> identity() {
        return Map.of("model_name", config.modelName(), "rank", config.rank(), "seed", config.seed(),
                "groups_per_batch", config.groupsPerBatch(), "group_size", config.groupSize(),
                "mode", config.mode().name().toLowerCase());
    }

    private void recordCheckpoint(String name, int step, String statePath, String samplerPath) {
        new CheckpointLog(config.logDir()).append(new CheckpointRecord(name, step, 0, statePath, samplerPath,
                name.equals("final"), identity()));
    }
}
