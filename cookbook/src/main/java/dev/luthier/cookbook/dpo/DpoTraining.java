package dev.luthier.cookbook.dpo;

import dev.luthier.api.input.Datum;
import dev.luthier.api.input.ModelInput;
import dev.luthier.api.training.AdamParams;
import dev.luthier.api.training.ForwardBackwardOutput;
import dev.luthier.client.ServiceClient;
import dev.luthier.client.sampling.SamplingClient;
import dev.luthier.client.training.TrainingClient;
import dev.luthier.cookbook.checkpoints.CheckpointLog;
import dev.luthier.cookbook.checkpoints.CheckpointRecord;
import dev.luthier.cookbook.checkpoints.ResumePoint;
import dev.luthier.cookbook.data.EpochBatches;
import dev.luthier.cookbook.data.Shuffle;
import dev.luthier.cookbook.metrics.MetricsLog;
import dev.luthier.cookbook.preferences.PreferencePair;
import dev.luthier.cookbook.progress.ProgressListener;
import dev.luthier.cookbook.renderers.Renderer;
import dev.luthier.cookbook.report.HtmlReport;
import dev.luthier.cookbook.runs.RunConfigFile;
import dev.luthier.cookbook.sft.LearningRateSchedule;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The DPO training loop (the cookbook's {@code preference.train_dpo}). Each step takes a batch of pairs, makes sure
 * the frozen reference has scored each of their sequences (once per pair for the whole run, the next batch's while
 * the current one trains), runs {@link DpoLoss} through the SDK's custom-loss path (a forward pass for the policy's
 * log-probabilities, then a backward pass with the loss's gradient as weights) and an AdamW step.
 *
 * <p>Every {@code saveEvery} steps the state (weights and Adam moments) is saved and recorded in
 * {@code checkpoints.jsonl}, as supervised training does; started again with the same log directory, a run loads the
 * last recorded state with its optimizer and continues at that step with the batches it would have had (the batch of
 * a step depends only on the seed and the step, {@link EpochBatches}).
 */
public final class DpoTraining {
    private final ServiceClient service;
    private final DpoConfig config;
    private final Renderer renderer;
    private final ProgressListener progress;

    public DpoTraining(ServiceClient service, DpoConfig config, Renderer renderer, ProgressListener progress) {
        this.service = service;
        this.config = config;
        this.renderer = renderer;
        this.progress = progress == null ? ProgressListener.NONE : progress;
    }

    /**
     * Trains on {@code pairs}, saving a checkpoint every {@code saveEvery} steps and the result as {@code final} (state
     * and sampler weights). On a log directory with checkpoints of this run it continues from the last one; when that
     * is the final one, there is nothing to do and the result is read back from the directory.
     */
    public DpoResult train(List<PreferencePair> pairs) {
        List<PairDatums> rendered = new ArrayList<>(pairs.size());
        int dropped = 0;
        for (PreferencePair p : pairs) {
            PairDatums d = PairDatums.render(renderer, p);
            if (d.maxLength() > config.maxLength()) {
                dropped++;
            } else {
                rendered.add(d);
            }
        }
        List<PairDatums> heldOut = new ArrayList<>();
        if (config.testSize() > 0) {
            int[] order = Shuffle.permutation(rendered.size(), config.seed() ^ 0x5eed);
            List<PairDatums> train = new ArrayList<>();
            for (int i = 0; i < order.length; i++) {
                (i < config.testSize() ? heldOut : train).add(rendered.get(order[i]));
            }
            rendered = train;
        }
        if (rendered.isEmpty()) {
            throw new IllegalArgumentException("no preference pairs to train on (" + pairs.size() + " given, " + dropped
                    + " longer than maxLength " + config.maxLength() + ", " + heldOut.size() + " held out)");
        }
        EpochBatches batches = new EpochBatches(rendered.size(), Math.min(config.batchSize(), rendered.size()), config.seed());
        int totalSteps = config.maxSteps().orElse(config.epochs() * batches.batchesPerEpoch());
        String referenceName = config.referenceModel().or(config::loadCheckpoint).orElse(config.modelName());
        Map<String, Object> identity = Map.of("train_size", rendered.size(), "held_out", heldOut.size(),
                "batch_size", batches.batchSize(), "seed", config.seed(), "model_name", config.modelName(),
                "rank", config.rank(), "renderer", config.renderer(), "beta", config.beta(), "reference", referenceName,
                "start", config.loadCheckpoint().orElse(config.modelName()));

        // checked before config.json is written, so that a refused run leaves the other run's directory as it was
        ResumePoint resume = ResumePoint.find(config.logDir(), identity, totalSteps);
        if (resume.finished()) {
            return alreadyFinished(resume, rendered.size(), dropped);
        }
        var configFile = RunConfigFile.write(config.logDir(), config);
        MetricsLog.dropFrom(config.logDir(), resume.step());
        CheckpointLog checkpoints = new CheckpointLog(config.logDir());
        TrainingClient training = resume.resumed()
                ? service.createTrainingClientFromState(resume.checkpoint().get().statePath(), true)
                : config.loadCheckpoint().isPresent()
                ? service.createTrainingClientFromState(config.loadCheckpoint().get(), false)
                : service.createLoraTrainingClient(config.modelName(), config.rank(), config.seed(), true, true, true, null);
        // the policy starts where the reference is unless another reference is named
        SamplingClient reference = service.createSamplingClient(referenceName);
        ReferenceScores scores = new ReferenceScores(reference, rendered);
        ReferenceScores heldOutScores = new ReferenceScores(reference, heldOut);

        Map<String, Double> first = null;
        Map<String, Double> last = Map.of();
        Map<String, Double> test = Map.of();
        AdamParams adam = AdamParams.defaults();
        LearningRateSchedule lrSchedule = LearningRateSchedule.create(config.schedule(), config.learningRate(), 0, totalSteps);
        progress.start("dpo", totalSteps);
        try (MetricsLog log = MetricsLog.open(config.logDir())) {
            int startStep = (int) resume.step();
            if (startStep > 0) {
                progress.advance(startStep, "resumed at step " + startStep);
            }
            CompletableFuture<Double> nextReferenceTime = null;
            for (int step = startStep; step < totalSteps; step++) {
                if (!heldOut.isEmpty() && (step == 0 || (config.evalEvery() > 0 && step % config.evalEvery() == 0))) {
                    test = evaluate(training, heldOut, heldOutScores);
                    log.log(step, test);
                }
                List<Integer> batch = indices(batches.batch(step));
                long start = System.nanoTime();
                double referenceSeconds = (nextReferenceTime != null ? nextReferenceTime : scores.ensure(batch)).join();
                if (step + 1 < totalSteps) {
                    nextReferenceTime = scores.ensure(indices(batches.batch(step + 1)));
                }

                List<Datum> data = new ArrayList<>(2 * batch.size());
                double[] referenceSums = new double[2 * batch.size()];
                for (int i = 0; i < batch.size(); i++) {
                    int p = batch.get(i);
                    data.add(rendered.get(p).chosenDatum());
                    data.add(rendered.get(p).rejectedDatum());
                    referenceSums[2 * i] = scores.chosen(p);
                    referenceSums[2 * i + 1] = scores.rejected(p);
                }
                double lr = lrSchedule.learningRate(step);
                CompletableFuture<ForwardBackwardOutput> fb = training.forwardBackwardCustom(data, new DpoLoss(config.beta(), referenceSums));
                var optim = training.optimStep(adam.withLearningRate(lr));
                ForwardBackwardOutput out = fb.join();
                optim.join();

                Map<String, Double> metrics = new LinkedHashMap<>();
                for (String name : List.of("dpo_loss", "accuracy", "chosen_reward", "rejected_reward", "margin")) {
                    metrics.put(name, out.metrics().get(name + ":mean"));
                }
                metrics.put("learning_rate", lr);
                metrics.put("pairs", (double) batch.size());
                metrics.put("epoch", (double) batches.epochOf(step));
                // scoring this batch's new pairs; when prefetched, that ran while the previous step trained
                metrics.put("time/reference_logprobs", referenceSeconds);
                metrics.put("time/step", (System.nanoTime() - start) / 1e9);
                log.log(step, metrics);
                if (first == null) {
                    first = metrics;
                }
                last = metrics;
                progress.advance(step + 1, String.format(Locale.ROOT, "loss %.4f acc %.2f margin %.3f",
                        metrics.get("dpo_loss"), metrics.get("accuracy"), metrics.get("margin")));
                int done = step + 1;
                if (config.saveEvery() > 0 && done % config.saveEvery() == 0 && done < totalSteps) {
                    String name = String.format(Locale.ROOT, "step-%06d", done);
                    String state = training.saveState(name).join().path();
                    checkpoints.append(new CheckpointRecord(name, done, batches.epochOf(done), state, null, false, identity));
                }
            }
            if (!heldOut.isEmpty()) {
                test = evaluate(training, heldOut, heldOutScores);
                log.log(totalSteps, test);
            }
            CompletableFuture<String> state = training.saveState("final").thenApply(r -> r.path());
            CompletableFuture<String> sampler = training.saveWeightsForSampler("final").thenApply(r -> r.path());
            String statePath = state.join();
            String samplerPath = sampler.join();
            checkpoints.append(new CheckpointRecord("final", totalSteps, batches.epochOf(totalSteps), statePath, samplerPath,
                    true, identity));
            var report = HtmlReport.write(config.logDir(), "DPO: " + config.modelName());
            if (resume.resumed()) {
                // the run's first step was logged by the run that was interrupted
                first = firstLogged(MetricsLog.read(config.logDir()), "dpo_loss");
            }
            return new DpoResult(totalSteps, rendered.size(), dropped, statePath, samplerPath, log.file(), configFile, report,
                    first == null ? Map.of() : first, last, test, false);
        } finally {
            progress.finish();
        }
    }

    /** The result of a run whose final checkpoint is already in the log directory, read back from it. */
    private DpoResult alreadyFinished(ResumePoint resume, int trainPairs, int dropped) {
        CheckpointRecord done = resume.checkpoint().orElseThrow();
        progress.start("dpo", resume.totalSteps());
        progress.advance(resume.totalSteps(), "already finished (" + config.logDir() + " holds its final checkpoint)");
        progress.finish();
        List<Map<String, Double>> logged = MetricsLog.read(config.logDir());
        Map<String, Double> first = firstLogged(logged, "dpo_loss");
        Map<String, Double> last = firstLogged(logged.reversed(), "dpo_loss");
        Map<String, Double> test = firstLogged(logged.reversed(), "test/dpo_loss");
        return new DpoResult((int) resume.totalSteps(), trainPairs, dropped, done.statePath(), done.samplerPath(),
                config.logDir().resolve(MetricsLog.FILE_NAME), config.logDir().resolve(RunConfigFile.FILE_NAME),
                config.logDir().resolve(HtmlReport.FILE_NAME), first == null ? Map.of() : first,
                last == null ? Map.of() : last, test == null ? Map.of() : test, true);
    }

    /** The first of {@code lines} that has {@code key}, without its {@code step}; null when none has. */
    /** As {@link MetricsLog#firstWith}, with null where no line has the key. */
    private static Map<String, Double> firstLogged(List<Map<String, Double>> lines, String key) {
        Map<String, Double> m = MetricsLog.firstWith(lines, key);
        return m.isEmpty() ? null : m;
    }

    private static List<Integer> indices(int[] batch) {
        List<Integer> out = new ArrayList<>(batch.length);
        for (int i : batch) {
            out.add(i);
        }
        return out;
    }

    /**
     * The DPO metrics of the held-out pairs under the current policy ({@code test/dpo_loss}, {@code test/accuracy},
     * ...): a forward pass for the policy's log-probabilities, no gradient.
     */
    private Map<String, Double> evaluate(TrainingClient training, List<PairDatums> pairs, ReferenceScores scores) {
        List<Integer> all = new ArrayList<>(pairs.size());
        for (int i = 0; i < pairs.size(); i++) {
            all.add(i);
        }
        scores.ensure(all).join();
        List<Datum> data = new ArrayList<>(2 * pairs.size());
        double[] referenceSums = new double[2 * pairs.size()];
        for (int i = 0; i < pairs.size(); i++) {
            data.add(pairs.get(i).chosenDatum());
            data.add(pairs.get(i).rejectedDatum());
            referenceSums[2 * i] = scores.chosen(i);
            referenceSums[2 * i + 1] = scores.rejected(i);
        }
        ForwardBackwardOutput out = training.forward(data, "cross_entropy").join();
        List<float[]> logprobs = new ArrayList<>(data.size());
        List<float[]> weights = new ArrayList<>(data.size());
        for (int i = 0; i < data.size(); i++) {
            float[] lp = out.lossFnOutputs().get(i).get("logprobs").toFloats();
            logprobs.add(lp);
            weights.add(DpoLoss.weightsOf(data.get(i), lp.length));
        }
        DpoLoss.Stats stats = new DpoLoss(config.beta(), referenceSums).evaluate(logprobs, weights, null);
        Map<String, Double> metrics = new LinkedHashMap<>();
        stats.asMetrics().forEach((k, v) -> metrics.put("test/" + k, v));
        metrics.put("test/pairs", (double) pairs.size());
        return metrics;
    }

    /** The reference model's summed reply log-probabilities per pair, each computed once. */
    private static final class ReferenceScores {
        private final SamplingClient reference;
        private final List<PairDatums> pairs;
        private final double[] chosen;
        private final double[] rejected;
        private final List<CompletableFuture<Void>> scored;

        ReferenceScores(SamplingClient reference, List<PairDatums> pairs) {
            this.reference = reference;
            this.pairs = pairs;
            this.chosen = new double[pairs.size()];
            this.rejected = new double[pairs.size()];
            this.scored = new ArrayList<>(Collections.nCopies(pairs.size(), null));
        }

        /** Scores the pairs of {@code batch} not scored or being scored yet; completes with the seconds it took. */
        synchronized CompletableFuture<Double> ensure(List<Integer> batch) {
            long start = System.nanoTime();
            List<CompletableFuture<Void>> pending = new ArrayList<>();
            for (int p : batch) {
                if (scored.get(p) == null) {
                    PairDatums d = pairs.get(p);
                    var c = reference.computeLogprobs(ModelInput.ofTokens(d.chosen().tokens()));
                    var r = reference.computeLogprobs(ModelInput.ofTokens(d.rejected().tokens()));
                    scored.set(p, c.thenAcceptBoth(r, (lc, lr) -> store(p, PairDatums.referenceSum(d.chosen(), lc),
                            PairDatums.referenceSum(d.rejected(), lr))));
                }
                pending.add(scored.get(p));
            }
            return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
                    .thenApply(v -> (System.nanoTime() - start) / 1e9);
        }

        private synchronized void store(int p, double c, double r) {
            chosen[p] = c;
            rejected[p] = r;
        }

        synchronized double chosen(int p) {
            return chosen[p];
        }

        synchronized double rejected(int p) {
            return rejected[p];
        }
    }
}
