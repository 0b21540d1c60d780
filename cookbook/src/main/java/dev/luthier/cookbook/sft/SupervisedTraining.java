package dev.luthier.cookbook.sft;

import dev.luthier.api.input.Datum;
import dev.luthier.api.training.AdamParams;
import dev.luthier.api.training.ForwardBackwardOutput;
import dev.luthier.api.training.OptimStepResponse;
import dev.luthier.client.ServiceClient;
import dev.luthier.client.training.TrainingClient;
import dev.luthier.cookbook.checkpoints.CheckpointLog;
import dev.luthier.cookbook.checkpoints.CheckpointRecord;
import dev.luthier.cookbook.checkpoints.ResumePoint;
import dev.luthier.cookbook.data.Conversation;
import dev.luthier.cookbook.data.ConversationFiles;
import dev.luthier.cookbook.data.EpochBatches;
import dev.luthier.cookbook.data.HeldOutSplit;
import dev.luthier.cookbook.data.SupervisedDatums;
import dev.luthier.cookbook.metrics.MetricsLog;
import dev.luthier.cookbook.progress.ProgressListener;
import dev.luthier.cookbook.renderers.Renderer;
import dev.luthier.cookbook.report.HtmlReport;
import dev.luthier.cookbook.runs.RunConfigFile;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Supervised fine-tuning of a LoRA adapter over the SDK (the cookbook's {@code supervised.train}).
 *
 * <p>Each step sends one batch to {@code forward_backward} with {@code cross_entropy} and an {@code optim_step} with
 * the schedule's learning rate. Submission is pipelined: step {@code s+1}'s two requests are submitted before step
 * {@code s}'s result is read, so the server always has the next step queued. Every {@code saveEvery} steps the state
 * (weights and Adam moments) is saved and recorded in {@code checkpoints.jsonl}; started again with the same log
 * directory, a run loads the last recorded state with its optimizer and continues at that step, with the batches it
 * would have had (the batch of a step depends only on the seed and the step). Before every {@code evalEvery}-th step
 * and at the end, the held-out set is scored with {@code forward}: {@code test/nll} and {@code test/bpb}.
 *
 * <p>Writes {@code config.json}, {@code metrics.jsonl} (per step: {@code train_mean_nll}, {@code learning_rate},
 * {@code tokens}, {@code step_time}, ...), {@code checkpoints.jsonl} and, at the end, {@code report.html}.
 */
public final class SupervisedTraining {
    public static final String LOSS = "cross_entropy";

    private final SftConfig config;
    private final Renderer renderer;
    private final ProgressListener progress;

    public SupervisedTraining(SftConfig config, Renderer renderer, ProgressListener progress) {
        if (!renderer.name().equals(config.renderer())) {
            throw new IllegalArgumentException("the config names renderer " + config.renderer() + " but got " + renderer.name());
        }
        this.config = config;
        this.renderer = renderer;
        this.progress = progress;
    }

    /** Trains on {@code config.data()}, holding out {@code config.testData()} or {@code testSize} conversations. */
    public SftResult run(ServiceClient service) {
        Path dataFile = config.data().orElseThrow(() -> new IllegalArgumentException("no training data: set data=FILE"));
        List<Conversation> all = ConversationFiles.read(dataFile);
        if (config.testData().isPresent()) {
            return run(service, all, ConversationFiles.read(config.testData().get()));
        }
        if (config.testSize() == 0) {
            return run(service, all, List.of());
        }
        HeldOutSplit<Conversation> split = HeldOutSplit.of(all, config.testSize(), config.seed());
        return run(service, split.train(), split.test());
    }

    /** Trains on {@code train} and evaluates on {@code test} (may be empty: no evaluation). */
    public SftResult run(ServiceClient service, List<Conversation> train, List<Conversation> test) {
        List<Datum> trainData = SupervisedDatums.buildAll(train, renderer, config.trainOn(), config.maxLength());
        List<Datum> testData = SupervisedDatums.buildAll(test, renderer, config.trainOn(), config.maxLength());
        EpochBatches batches = new EpochBatches(trainData.size(), config.batchSize(), config.seed());
        long total = (long) config.epochs() * batches.batchesPerEpoch();
        if (config.maxSteps().isPresent()) {
            total = Math.min(total, config.maxSteps().get());
        }
        LearningRateSchedule schedule = LearningRateSchedule.create(config.schedule(), config.learningRate(),
                config.warmupSteps(), total);
        NllEvaluator evaluator = testData.isEmpty() ? null : new NllEvaluator(testData, renderer.tokenizer());
        AdamParams adam = new AdamParams(config.learningRate(), AdamParams.DEFAULT_BETA1, AdamParams.DEFAULT_BETA2,
                AdamParams.DEFAULT_EPS, config.weightDecay(), config.gradClipNorm());
        Map<String, Object> identity = Map.of("train_size", trainData.size(), "batch_size", config.batchSize(),
                "seed", config.seed(), "model_name", config.modelName(), "renderer", config.renderer());

        // checked before config.json is written, so that a refused run leaves the other run's directory as it was
        ResumePoint resume = ResumePoint.find(config.logDir(), identity, total);
        if (resume.finished()) {
            return alreadyFinished(resume);
        }
        RunConfigFile.write(config.logDir(), config);
        CheckpointLog checkpoints = new CheckpointLog(config.logDir());
        Optional<CheckpointRecord> resumeFrom = resume.checkpoint();
        long start = resume.step();
        MetricsLog.dropFrom(config.logDir(), start);

        TrainingClient training = resumeFrom.isPresent()
                ? service.createTrainingClientFromState(resumeFrom.get().statePath(), true)
                : service.createLoraTrainingClient(config.modelName(), config.rank(), config.seed(), true, true, true,
                        Map.of("recipe", "sft", "renderer", config.renderer()));

        Map<String, Double> lastTrain = Map.of();
        Map<String, Double> lastEval = Map.of();
        try (MetricsLog metrics = MetricsLog.open(config.logDir())) {
            progress.start("sft", total);
            progress.advance(start, start > 0 ? "resumed at step " + start : "");
            Pending pending = null;
            long lastDone = System.nanoTime();
            for (long step = start; step < total; step++) {
                if (evaluator != null && config.evalEvery() > 0 && step % config.evalEvery() == 0) {
                    lastEval = evaluate(evaluator, training, metrics, step);
                }
                int[] indices = batches.batch(step);
                List<Datum> batch = new ArrayList<>(indices.length);
                for (int i : indices) {
                    batch.add(trainData.get(i));
                }
                double lr = schedule.learningRate(step);
                CompletableFuture<ForwardBackwardOutput> fb = training.forwardBackward(batch, LOSS);
                CompletableFuture<OptimStepResponse> opt = training.optimStep(adam.withLearningRate(lr));
                Pending next = new Pending(step, batches.epochOf(step), batch, lr, fb, opt);
                if (pending != null) {
                    lastTrain = finish(pending, metrics, lastDone, total);
                    lastDone = System.nanoTime();
                }
                pending = next;
                long done = step + 1;
                if (config.saveEvery() > 0 && done % config.saveEvery() == 0 && done < total) {
                    lastTrain = finish(pending, metrics, lastDone, total);
                    lastDone = System.nanoTime();
                    pending = null;
                    String name = String.format(Locale.ROOT, "step-%06d", done);
                    String state = join(training.saveState(name)).path();
                    checkpoints.append(new CheckpointRecord(name, done, batches.epochOf(done), state, null, false, identity));
                }
            }
            if (pending != null) {
                lastTrain = finish(pending, metrics, lastDone, total);
            }
            if (evaluator != null) {
                lastEval = evaluate(evaluator, training, metrics, total);
            }
            CompletableFuture<String> state = training.saveState("final").thenApply(r -> r.path());
            CompletableFuture<String> sampler = training.saveWeightsForSampler("final").thenApply(r -> r.path());
            String statePath = join(state);
            String samplerPath = join(sampler);
            checkpoints.append(new CheckpointRecord("final", total, batches.epochOf(total), statePath, samplerPath, true, identity));
            progress.finish();
            HtmlReport.write(config.logDir(), "Supervised fine-tuning: " + config.modelName());
            return new SftResult(samplerPath, statePath, total, lastTrain, lastEval, config.logDir(), false);
        }
    }

    /**
     * The result of a run whose final checkpoint is already in the log directory, read back from it: no training
     * client, no evaluation, and the log directory's files are left as they are.
     */
    private SftResult alreadyFinished(ResumePoint resume) {
        CheckpointRecord done = resume.checkpoint().orElseThrow();
        progress.start("sft", resume.totalSteps());
        progress.advance(resume.totalSteps(), "already finished (" + config.logDir() + " holds its final checkpoint)");
        progress.finish();
        List<Map<String, Double>> logged = MetricsLog.read(config.logDir()).reversed();
        return new SftResult(done.samplerPath(), done.statePath(), resume.totalSteps(),
                MetricsLog.firstWith(logged, "learning_rate"), MetricsLog.firstWith(logged, "test/nll"), config.logDir(), true);
    }

    /** A submitted step whose result has not been read yet. */
    private record Pending(long step, long epoch, List<Datum> batch, double learningRate,
                           CompletableFuture<ForwardBackwardOutput> forwardBackward,
                           CompletableFuture<OptimStepResponse> optimStep) {
    }

    private Map<String, Double> finish(Pending p, MetricsLog metrics, long sinceNanos, long total) {
        ForwardBackwardOutput out = join(p.forwardBackward());
        join(p.optimStep());
        double weights = 0;
        long tokens = 0;
        for (Datum d : p.batch()) {
            weights += SupervisedDatums.weightSum(d);
            tokens += d.modelInput().length().orElse(0);
        }
        Double lossSum = out.metrics().get("loss:sum");
        if (lossSum == null) {
            throw new IllegalStateException("forward_backward returned no loss:sum (metrics " + out.metrics().keySet() + ")");
        }
        Map<String, Double> m = new LinkedHashMap<>();
        if (weights > 0) {
            // a batch whose conversations were all cut before their trained tokens has no mean
            m.put("train_mean_nll", lossSum / weights);
        }
        m.put("learning_rate", p.learningRate());
        m.put("tokens", (double) tokens);
        m.put("weighted_tokens", weights);
        m.put("epoch", (double) p.epoch());
        m.put("step_time", (System.nanoTime() - sinceNanos) / 1e9);
        metrics.log(p.step(), m);
        progress.advance(p.step() + 1, weights > 0
                ? String.format(Locale.ROOT, "loss %.4f lr %.2e", m.get("train_mean_nll"), p.learningRate())
                : String.format(Locale.ROOT, "no trained tokens lr %.2e", p.learningRate()));
        return m;
    }

    private Map<String, Double> evaluate(NllEvaluator evaluator, TrainingClient training, MetricsLog metrics, long step) {
        HeldOutNll nll = join(evaluator.evaluate(training));
        Map<String, Double> m = nll.metrics("test");
        metrics.log(step, m);
        return m;
    }

    private static <T> T join(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }
}
