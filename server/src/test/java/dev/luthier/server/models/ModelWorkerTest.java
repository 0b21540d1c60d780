package dev.luthier.server.models;

import dev.luthier.engine.Engine;
import dev.luthier.engine.ExampleResult;
import dev.luthier.engine.TrainingExample;
import dev.luthier.engine.kernels.cpu.CpuKernels;
import dev.luthier.engine.lora.LoraAdapter;
import dev.luthier.engine.lora.LoraConfig;
import dev.luthier.engine.loss.CrossEntropyLoss;
import dev.luthier.engine.loss.LossInputs;
import dev.luthier.engine.model.ModelConfig;
import dev.luthier.engine.model.ModelFamily;
import dev.luthier.engine.model.RandomModel;
import dev.luthier.engine.model.Transformer;
import dev.luthier.engine.optim.AdamParams;
import dev.luthier.engine.optim.AdamW;
import dev.luthier.engine.tensor.DType;
import dev.luthier.server.checkpoints.CheckpointStore;
import dev.luthier.server.storage.Storage;
import dev.luthier.server.storage.db.DatabaseSettings;
import dev.luthier.server.storage.runs.LoraSettings;
import dev.luthier.server.storage.sessions.Session;
import dev.luthier.server.futures.FutureOutcome;
import dev.luthier.server.futures.FutureStore;
import dev.luthier.server.training.ForwardBackwardResult;
import dev.luthier.server.training.SaveResult;
import dev.luthier.server.training.TrainingDatum;
import dev.luthier.server.training.TrainingOp;
import dev.luthier.server.training.TrainingRun;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class ModelWorkerTest {
    private static final ModelConfig CONFIG = ModelConfig.dense(ModelFamily.QWEN3, 64, 32, 48, 2, 4, 2, 8, 10000, true);
    @TempDir
    Path dir;
    private Arena arena;
    private CpuKernels kernels;
    private Transformer model;
    private FutureStore futures;
    private ModelWorker worker;
    private Storage storage;

    @BeforeEach
    void start() {
        arena = Arena.ofShared();
        kernels = new CpuKernels(1);
        model = new Transformer(CONFIG, RandomModel.weights(CONFIG, kernels, 5, 0.2, DType.F32, arena), kernels, 128);
        futures = new FutureStore(Clock.systemUTC(), Duration.ofMinutes(10));
        storage = Storage.open(DatabaseSettings.sqlite(dir));
        storage.sessions().create(Session.started("s", null, List.of(), null, "test", null, java.time.Instant.now()));
        worker = new ModelWorker("tiny", model, null, futures, new CheckpointStore(dir.resolve("checkpoints"), storage.checkpoints()),
                new WorkerOptions(4096, 4, 128, Duration.ofSeconds(2), 100), Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        worker.close();
        storage.close();
        arena.close();
    }

    private static TrainingDatum datum(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] tokens = r.ints(9, 0, CONFIG.vocabSize()).toArray();
        int[] input = Arrays.copyOf(tokens, 8);
        int[] target = Arrays.copyOfRange(tokens, 1, 9);
        float[] w = new float[8];
        Arrays.fill(w, 1f);
        return new TrainingDatum(input, LossInputs.crossEntropy(target, w), new int[]{8});
    }

    private String submit(TrainingRun run, long seq, TrainingOp op) {
        String id = run.queue().submit(seq, futures.create(op.operationName()), op).requestId();
        worker.wake();
        return id;
    }

    private Object result(String id) throws Exception {
        FutureStore.Lookup l = futures.await(id, Duration.ofSeconds(30));
        assertThat(l).isInstanceOf(FutureStore.Lookup.Done.class);
        FutureOutcome o = ((FutureStore.Lookup.Done) l).outcome();
        if (o instanceof FutureOutcome.Failure f) {
            throw new AssertionError("failed: " + f.message());
        }
        return ((FutureOutcome.Success) o).payload();
    }

    private TrainingRun newRun(String id, long seed) throws Exception {
        long seq = Long.parseLong(id.substring(id.lastIndexOf(':') + 1));
        storage.runs().create(dev.luthier.server.storage.runs.TrainingRun.created(id, "s", seq, null, "tiny",
                new LoraSettings(4, 32.0, seed, true, true, false), null, java.time.Instant.now()));
        TrainingRun run = new TrainingRun(id, "s", "tiny", new LoraConfig(4, 32, seed, true, true, false), Map.of(), Clock.systemUTC());
        worker.addRun(run).get();
        return run;
    }

    /** Two steps of forward_backward + optim_step with the engine directly, as a reference. */
    private double[] alone(long seed, long dataSeed) {
        Engine engine = new Engine(model);
        LoraAdapter a = engine.createAdapter("ref", new LoraConfig(4, 32, seed, true, true, false));
        AdamW opt = new AdamW(kernels);
        double[] losses = new double[3];
        for (int step = 0; step < 3; step++) {
            TrainingDatum d = datum(dataSeed);
            ExampleResult r = engine.forwardBackward(List.of(new TrainingExample(a, d.tokens(), new CrossEntropyLoss(), d.lossInputs())), true).getFirst();
            losses[step] = r.loss();
            opt.apply(a, AdamParams.of(1e-2));
        }
        return losses;
    }

    @Test
    void twoRunsSubmittingOutOfOrderEachGetWhatTheyGetAlone() throws Exception {
        double[] refA = alone(1, 100);
        double[] refB = alone(2, 200);
        TrainingRun a = newRun("s:train:0", 1);
        TrainingRun b = newRun("s:train:1", 2);
        List<String> idsA = new ArrayList<>();
        List<String> idsB = new ArrayList<>();
        // Later seq_ids first, as parallel chunk submission does.
        for (int step = 2; step >= 0; step--) {
            idsA.add(0, submit(a, 2L * step + 2, new TrainingOp.OptimStep(AdamParams.of(1e-2))));
            idsA.add(0, submit(a, 2L * step + 1, new TrainingOp.ForwardBackward(List.of(datum(100)), "cross_entropy", Map.of(), false)));
        }
        for (int step = 0; step < 3; step++) {
            idsB.add(submit(b, 2L * step + 1, new TrainingOp.ForwardBackward(List.of(datum(200)), "cross_entropy", Map.of(), false)));
            idsB.add(submit(b, 2L * step + 2, new TrainingOp.OptimStep(AdamParams.of(1e-2))));
        }
        for (int step = 0; step < 3; step++) {
            ForwardBackwardResult ra = (ForwardBackwardResult) result(idsA.get(2 * step));
            ForwardBackwardResult rb = (ForwardBackwardResult) result(idsB.get(2 * step));
            assertThat(ra.metrics().get("loss:sum")).isCloseTo(refA[step], org.assertj.core.data.Offset.offset(1e-4 * Math.abs(refA[step])));
            assertThat(rb.metrics().get("loss:sum")).isCloseTo(refB[step], org.assertj.core.data.Offset.offset(1e-4 * Math.abs(refB[step])));
            assertThat(ra.outputs().getFirst().logprobs()).hasSize(8);
        }
        assertThat(refA[2]).isLessThan(refA[0]);
    }

    @Test
    void aBadRequestFailsAsAUserErrorAndTheRunGoesOn() throws Exception {
        TrainingRun run = newRun("s:train:0", 1);
        String bad = submit(run, 1, new TrainingOp.ForwardBackward(List.of(datum(1)), "no_such_loss", Map.of(), false));
        TrainingDatum outside = new TrainingDatum(new int[]{1, 2, CONFIG.vocabSize()}, LossInputs.crossEntropy(new int[]{1, 2, 3}, null), new int[]{3});
        String outOfVocab = submit(run, 2, new TrainingOp.ForwardBackward(List.of(outside), "cross_entropy", Map.of(), false));
        String good = submit(run, 3, new TrainingOp.ForwardBackward(List.of(datum(1)), "cross_entropy", Map.of(), false));
        FutureOutcome o1 = ((FutureStore.Lookup.Done) futures.await(bad, Duration.ofSeconds(30))).outcome();
        FutureOutcome o2 = ((FutureStore.Lookup.Done) futures.await(outOfVocab, Duration.ofSeconds(30))).outcome();
        assertThat(o1).isInstanceOfSatisfying(FutureOutcome.Failure.class, f -> {
            assertThat(f.category()).isEqualTo(FutureOutcome.Category.USER);
            assertThat(f.message()).contains("no_such_loss");
        });
        assertThat(o2).isInstanceOfSatisfying(FutureOutcome.Failure.class, f -> assertThat(f.message()).contains("outside the vocabulary"));
        assertThat(result(good)).isInstanceOf(ForwardBackwardResult.class);
    }

    @Test
    void savedStateWithOptimizerResumesExactly() throws Exception {
        TrainingRun run = newRun("s:train:0", 3);
        long seq = 1;
        for (int step = 0; step < 2; step++) {
            result(submit(run, seq++, new TrainingOp.ForwardBackward(List.of(datum(7)), "cross_entropy", Map.of(), false)));
            result(submit(run, seq++, new TrainingOp.OptimStep(AdamParams.of(1e-2))));
        }
        SaveResult saved = (SaveResult) result(submit(run, seq++, new TrainingOp.SaveState("ckpt", null)));
        assertThat(saved.path()).isEqualTo("tinker://s:train:0/weights/ckpt");
        result(submit(run, seq++, new TrainingOp.ForwardBackward(List.of(datum(7)), "cross_entropy", Map.of(), false)));
        result(submit(run, seq++, new TrainingOp.OptimStep(AdamParams.of(1e-2))));
        double expected = ((ForwardBackwardResult) result(submit(run, seq++,
                new TrainingOp.ForwardBackward(List.of(datum(7)), "cross_entropy", Map.of(), false)))).metrics().get("loss:sum");

        TrainingRun resumed = newRun("s:train:1", 99);
        result(submit(resumed, 1, new TrainingOp.LoadState(saved.path(), true)));
        result(submit(resumed, 2, new TrainingOp.ForwardBackward(List.of(datum(7)), "cross_entropy", Map.of(), false)));
        result(submit(resumed, 3, new TrainingOp.OptimStep(AdamParams.of(1e-2))));
        double got = ((ForwardBackwardResult) result(submit(resumed, 4,
                new TrainingOp.ForwardBackward(List.of(datum(7)), "cross_entropy", Map.of(), false)))).metrics().get("loss:sum");
        // Equal up to float rounding: kernels may reduce in another order once the JIT has compiled them.
        assertThat(got).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-6 * Math.abs(expected)));

        // Without the optimizer state the same step gives a different loss (Adam's moments restart).
        TrainingRun fresh = newRun("s:train:2", 99);
        result(submit(fresh, 1, new TrainingOp.LoadState(saved.path(), false)));
        result(submit(fresh, 2, new TrainingOp.ForwardBackward(List.of(datum(7)), "cross_entropy", Map.of(), false)));
        result(submit(fresh, 3, new TrainingOp.OptimStep(AdamParams.of(1e-2))));
        double other = ((ForwardBackwardResult) result(submit(fresh, 4,
                new TrainingOp.ForwardBackward(List.of(datum(7)), "cross_entropy", Map.of(), false)))).metrics().get("loss:sum");
        assertThat(Math.abs(other - expected)).isGreaterThan(1e-4 * Math.abs(expected));
    }

    @Test
    void aSeqIdGapFailsTheWaitingOpsWithAClearMessage() throws Exception {
        TrainingRun run = newRun("s:train:0", 1);
        String waiting = submit(run, 2, new TrainingOp.OptimStep(AdamParams.of(1e-2)));
        FutureStore.Lookup l = futures.await(waiting, Duration.ofSeconds(10));
        assertThat(l).isInstanceOfSatisfying(FutureStore.Lookup.Done.class, d ->
                assertThat(((FutureOutcome.Failure) d.outcome()).message()).contains("never arrived"));
    }
}
