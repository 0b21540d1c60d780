package dev.luthier.cookbook.dpo;

import dev.luthier.api.input.Datum;
import dev.luthier.api.input.ModelInput;
import dev.luthier.api.training.AdamParams;
import dev.luthier.api.training.ForwardBackwardOutput;
import dev.luthier.client.ServiceClient;
import dev.luthier.client.sampling.SamplingClient;
import dev.luthier.client.training.TrainingClient;
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
import java.util.Random;
import java.util.concurrent.CompletableFuture;

/**
 * The DPO training loop (the cookbook's {@code preference.train_dpo}). Each step takes a batch of pairs, makes sure
 * the frozen reference has scored each of their sequences (once per pair for the whole run, the next batch's while
 * the current one trains), runs {@link DpoLoss} through the SDK's custom-loss path (a forward pass for the policy's
 * log-probabilities, then a backward pass with the loss's gradient as weights) and an AdamW step.
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

    /** Trains on {@code pairs} and saves the result as {@code final} (state and sampler weights). */
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
            List<Integer> order = epochOrder(rendered.size(), config.seed() ^ 0x5eed, 0);
            List<PairDatums> train = new ArrayList<>();
            for (int i = 0; i < order.size(); i++) {
                (i < config.testSize() ? heldOut : train).add(rendered.get(order.get(i)));
            }
            rendered = train;
        }
        if (rendered.isEmpty()) {
            throw new IllegalArgumentException("no preference pairs to train on (" + pairs.size() + " given, " + dropped
                    + " longer than maxLength " + config.maxLength() + ", " + heldOut.size() + " held out)");
        }
        int batchSize = Math.min(config.batchSize(), rendered.size());
        int batchesPerEpoch = rendered.size() / batchSize;
        int totalSteps = config.maxSteps().orElse(config.epochs() * batchesPerEpoch);

        var configFile = RunConfigFile.write(config.logDir(), config);
        TrainingClient training = config.loadCheckpoint().isPresent()
                ? service.createTrainingClientFromState(config.loadCheckpoint().get(), false)
                : service.createLoraTrainingClient(config.modelName(), config.rank(), config.seed(), true, true, true, null);
        // the policy starts where the reference is unless another reference is named
        SamplingClient reference = service.createSamplingClient(config.referenceModel()
                .or(config::loadCheckpoint).orElse(config.modelName()));
        ReferenceScores scores = new ReferenceScores(reference, rendered);
        ReferenceScores heldOutScores = new ReferenceScores(reference, heldOut);

        Map<String, Double> first = null;
        Map<String, Double> last = Map.of();
        Map<String, Double> test = Map.of();
        AdamParams adam = AdamParams.defaults();
        LearningRateSchedule lrSchedule = LearningRateSchedule.create(config.schedule(), config.learningRate(), 0, totalSteps);
        progress.start("dpo", totalSteps);
        try (MetricsLog log = MetricsLog.open(config.logDir())) {
            List<Integer> order = null;
            CompletableFuture<Double> nextReferenceTime = null;
            for (int step = 0; step < totalSteps; step++) {
                if (!heldOut.isEmpty() && (step == 0 || (config.evalEvery() > 0 && step % config.evalEvery() == 0))) {
                    test = evaluate(training, heldOut, heldOutScores);
                    log.log(step, test);
                }
                int epoch = step / batchesPerEpoch;
                int within = step % batchesPerEpoch;
                if (within == 0 || order == null) {
                    order = epochOrder(rendered.size(), config.seed(), epoch);
                }
                List<Integer> batch = order.subList(within * batchSize, (within + 1) * batchSize);
                long start = System.nanoTime();
                double referenceSeconds = (nextReferenceTime != null ? nextReferenceTime : scores.ensure(batch)).join();
                if (step + 1 < totalSteps) {
                    int nextWithin = (step + 1) % batchesPerEpoch;
                    List<Integer> nextOrder = nextWithin == 0 ? epochOrder(rendered.size(), config.seed(), epoch + 1) : order;
                    nextReferenceTime = scores.ensure(nextOrder.subList(nextWithin * batchSize, (nextWithin + 1) * batchSize));
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
                metrics.put("epoch", (double) epoch);
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
            }
            if (!heldOut.isEmpty()) {
                test = evaluate(training, heldOut, heldOutScores);
                log.log(totalSteps, test);
            }
            String statePath = training.saveState("final").join().path();
            String samplerPath = training.saveWeightsForSampler("final").join().path();
            var report = HtmlReport.write(config.logDir(), "DPO: " + config.modelName());
            return new DpoResult(totalSteps, rendered.size(), dropped, statePath, samplerPath, log.file(), configFile, report,
                    first == null ? Map.of() : first, last, test);
        } finally {
            progress.finish();
        }
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

    /** The order of the pairs in {@code epoch}: a fresh seeded shuffle each epoch. */
    static List<Integer> epochOrder(int n, long seed, int epoch) {
        List<Integer> order = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(seed * 1_000_003L + epoch));
        return order;
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
