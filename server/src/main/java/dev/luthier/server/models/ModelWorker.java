package dev.luthier.server.models;

import dev.luthier.engine.Engine;
import dev.luthier.engine.ExampleResult;
import dev.luthier.engine.TrainingExample;
import dev.luthier.engine.kernels.Kernels;
import dev.luthier.engine.lora.LoraAdapter;
import dev.luthier.engine.lora.LoraModule;
import dev.luthier.engine.loss.LossFunction;
import dev.luthier.engine.loss.LossFunctions;
import dev.luthier.engine.model.ModelConfig;
import dev.luthier.engine.model.Transformer;
import dev.luthier.engine.optim.AdamW;
import dev.luthier.engine.optim.StepResult;
import dev.luthier.engine.sampler.SampleRequest;
import dev.luthier.engine.sampler.SampleResult;
import dev.luthier.engine.sampler.Sampler;
import dev.luthier.api.ids.CheckpointKind;
import dev.luthier.api.ids.TinkerPath;
import dev.luthier.server.checkpoints.CheckpointStore;
import dev.luthier.server.checkpoints.TrainingStateFiles;
import dev.luthier.server.storage.checkpoints.Checkpoint;
import dev.luthier.server.futures.FutureOutcome;
import dev.luthier.server.futures.FutureStore;
import dev.luthier.server.ordering.SequencedQueue;
import dev.luthier.server.sampling.SamplingSession;
import dev.luthier.server.training.ForwardBackwardResult;
import dev.luthier.server.training.OptimStepResult;
import dev.luthier.server.training.SaveResult;
import dev.luthier.server.training.TrainingDatum;
import dev.luthier.server.training.TrainingOp;
import dev.luthier.server.training.TrainingRun;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one thread that drives one base model's engine. Each cycle it takes every training run's ready ops (in seq_id
 * order), packs the forward/backward ops at the heads of many runs into one engine pass under a token budget,
 * then runs the ops behind them (optim_step, saves, loads) — so a forward_backward and the optim_step sent right
 * after it land in the same cycle — and between passes advances the sampler by one decode step, so sampling never
 * waits behind more than one training pass. Runs are served round-robin, so none starves another.
 */
public final class ModelWorker implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ModelWorker.class.getName());

    private final String baseModel;
    private final Transformer model;
    private final Engine engine;
    private final Kernels kernels;
    private final Sampler sampler;
    private final FutureStore futures;
    private final CheckpointStore checkpoints;
    private final WorkerOptions options;
    private final Clock clock;
    private final Map<String, TrainingRun> runs = new ConcurrentHashMap<>();
    private final Map<String, Deque<SequencedQueue.Waiting<TrainingOp>>> ready = new LinkedHashMap<>();
    private final Deque<Runnable> tasks = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final Thread thread;
    private volatile boolean closed;
    /** Set by every wake(); a cycle that starts after it sees the new work, so the worker only sleeps when clear. */
    private volatile boolean woken;
    private int rotation;
    private volatile long lastActive;
    /** Training passes run and the tokens they carried, for metrics (average pass size, tokens/s). */
    private final java.util.concurrent.atomic.AtomicLong passes = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong passTokens = new java.util.concurrent.atomic.AtomicLong();

    public ModelWorker(String baseModel, Transformer model, Function<int[], String> detokenizer, FutureStore futures,
                       CheckpointStore checkpoints, WorkerOptions options, Clock clock) {
        this.baseModel = baseModel;
        this.model = model;
        this.engine = new Engine(model);
        this.kernels = model.kernels();
        this.sampler = new Sampler(model, options.samplerSlots(), options.samplerContext(), detokenizer);
        this.futures = futures;
        this.checkpoints = checkpoints;
        this.options = options;
        this.clock = clock;
        this.lastActive = System.nanoTime();
        this.thread = Thread.ofPlatform().name("worker-" + baseModel).daemon(true).start(this::loop);
    }

    public String baseModel() {
        return baseModel;
    }

    public ModelConfig config() {
        return model.config();
    }

    /** Training passes this worker has run. */
    public long passesRun() {
        return passes.get();
    }

    /** Tokens carried by those passes. */
    public long tokensPassed() {
        return passTokens.get();
    }

    /** Nanos (System.nanoTime) of the last work done, for idle unloading. */
    public long lastActive() {
        return lastActive;
    }

    // ------------------------------------------------------------------ API for request threads

    /** Registers a run; its adapter is created on the worker thread before its first op. */
    public CompletableFuture<Void> addRun(TrainingRun run) {
        runs.put(run.id(), run);
        return onWorker(() -> {
            if (run.adapter() == null) {
                run.attach(engine.createAdapter(run.id(), run.loraConfig()), new AdamW(kernels));
            }
            return null;
        });
    }

    /** Restores a run's adapter (and optimizer) from a training checkpoint, on the worker thread. */
    public CompletableFuture<SaveResult> restore(TrainingRun run, String tinkerPath, boolean withOptimizer) {
        return onWorker(() -> loadState(run, new TrainingOp.LoadState(tinkerPath, withOptimizer)));
    }

    public void removeRun(String runId) {
        runs.remove(runId);
        wake();
    }

    public TrainingRun run(String runId) {
        return runs.get(runId);
    }

    /** Call after submitting to a run's queue. */
    public void wake() {
        woken = true;
        lock.lock();
        try {
            work.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Runs a task on the worker thread (anything touching the engine, adapters or kernels). */
    public <T> CompletableFuture<T> onWorker(java.util.concurrent.Callable<T> task) {
        CompletableFuture<T> f = new CompletableFuture<>();
        lock.lock();
        try {
            tasks.add(() -> {
                try {
                    f.complete(task.call());
                } catch (Throwable e) {
                    f.completeExceptionally(e);
                }
            });
            work.signalAll();
        } finally {
            lock.unlock();
        }
        return f;
    }

    /** True when the sampler has more work waiting than it should queue ({@code asample} answers 429). */
    public boolean samplerSaturated() {
        return sampler.load() >= options.maxQueuedSamples();
    }

    /** Queues a sampling request; validation errors throw at once. */
    public CompletableFuture<SampleResult> sample(SampleRequest request) {
        CompletableFuture<SampleResult> f = sampler.submit(request);
        wake();
        return f;
    }

    /** A frozen copy of a run's current adapter, for an unnamed sampler save. */
    private LoraAdapter snapshot(LoraAdapter adapter, String id) {
        int targets = dev.luthier.engine.lora.LoraTarget.values().length;
        LoraModule[][] layers = new LoraModule[adapter.numLayers()][targets];
        LoraModule[][][] experts = new LoraModule[adapter.numLayers()][][];
        for (LoraAdapter.NamedModule nm : adapter.modules()) {
            if (nm.layer() >= 0 && nm.expert() >= 0) {
                if (experts[nm.layer()] == null) {
                    experts[nm.layer()] = new LoraModule[model.config().numExperts()][targets];
                }
                experts[nm.layer()][nm.expert()][nm.target().ordinal()] = copy(nm.module());
            } else if (nm.layer() >= 0) {
                layers[nm.layer()][nm.target().ordinal()] = copy(nm.module());
            }
        }
        LoraModule head = adapter.lmHead() == null ? null : copy(adapter.lmHead());
        return LoraAdapter.of(id, adapter.config(), layers, experts, head);
    }

    private LoraModule copy(LoraModule m) {
        var a = kernels.allocate(m.a().rows(), m.a().cols());
        var b = kernels.allocate(m.b().rows(), m.b().cols());
        kernels.copy(m.a(), a);
        kernels.copy(m.b(), b);
        return new LoraModule(a, b, kernels.allocate(a.rows(), a.cols()), kernels.allocate(b.rows(), b.cols()));
    }

    /** Loads a sampler checkpoint (or a training checkpoint's adapter) as a frozen adapter, on the worker. */
    public CompletableFuture<LoraAdapter> loadSamplerAdapter(Checkpoint checkpoint, String id) {
        return onWorker(() -> dev.luthier.engine.lora.PeftAdapters.toEngine(
                dev.luthier.engine.lora.PeftAdapterFiles.read(Path.of(checkpoint.storagePath())), id, model.config(), kernels));
    }

    /** Sessions created by unnamed sampler saves, collected by the service. */
    private final Map<String, SamplingSession> ephemeralSessions = new ConcurrentHashMap<>();

    public SamplingSession takeEphemeralSession(String id) {
        return ephemeralSessions.get(id);
    }

    // ------------------------------------------------------------------ the loop

    private void loop() {
        while (!closed) {
            try {
                woken = false;
                boolean did = runTasks();
                did |= expireGaps();
                did |= trainingCycle();
                if (!sampler.idle()) {
                    sampler.step();
                    did = true;
                }
                if (did) {
                    lastActive = System.nanoTime();
                } else {
                    lock.lock();
                    try {
                        if (tasks.isEmpty() && !closed && !woken) {
                            work.awaitNanos(50_000_000L);
                        }
                    } finally {
                        lock.unlock();
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (Throwable t) {
                LOG.log(Level.SEVERE, "worker " + baseModel + " cycle failed", t);
            }
        }
    }

    private boolean runTasks() {
        boolean did = false;
        while (true) {
            Runnable r;
            lock.lock();
            try {
                r = tasks.poll();
            } finally {
                lock.unlock();
            }
            if (r == null) {
                return did;
            }
            r.run();
            did = true;
        }
    }

    private boolean expireGaps() {
        boolean did = false;
        for (TrainingRun run : runs.values()) {
            for (SequencedQueue.Waiting<TrainingOp> w : run.queue().expireGap(options.gapTimeout())) {
                futures.complete(w.requestId(), FutureOutcome.serverError("seq_id " + (w.seqId() - 1)
                        + " or an earlier one never arrived for model " + run.id() + " within "
                        + options.gapTimeout().toSeconds() + " s, so this request (seq_id " + w.seqId() + ") was dropped"));
                did = true;
            }
        }
        return did;
    }

    /** One scheduling cycle over every run's ready ops. Returns whether anything ran. */
    private boolean trainingCycle() {
        for (TrainingRun run : runs.values()) {
            List<SequencedQueue.Waiting<TrainingOp>> taken = run.queue().takeReady();
            if (!taken.isEmpty()) {
                ready.computeIfAbsent(run.id(), k -> new ArrayDeque<>()).addAll(taken);
            }
        }
        ready.keySet().removeIf(id -> !runs.containsKey(id) && failRemoved(id));
        boolean did = false;
        while (ready.values().stream().anyMatch(d -> !d.isEmpty())) {
            did = true;
            if (packedPass()) {
                if (!sampler.idle()) {
                    sampler.step();
                }
                continue;
            }
            for (var e : new ArrayList<>(ready.entrySet())) {
                var head = e.getValue().peek();
                if (head != null && !(head.op() instanceof TrainingOp.ForwardBackward)) {
                    e.getValue().poll();
                    runSingle(runs.get(e.getKey()), head);
                }
            }
        }
        ready.values().removeIf(Deque::isEmpty);
        return did;
    }

    private boolean failRemoved(String runId) {
        for (var w : ready.get(runId)) {
            futures.complete(w.requestId(), FutureOutcome.userError("model " + runId + " was unloaded"));
        }
        return true;
    }

    /** Packs forward/backward heads of several runs into one pass. Returns false when no run has one at its head. */
    private boolean packedPass() {
        List<String> order = new ArrayList<>(ready.keySet());
        if (order.isEmpty()) {
            return false;
        }
        int start = Math.floorMod(rotation++, order.size());
        List<String> rotated = new ArrayList<>(order.subList(start, order.size()));
        rotated.addAll(order.subList(0, start));
        List<Planned> pass = new ArrayList<>();
        Boolean forwardOnly = null;
        int tokens = 0;
        for (String runId : rotated) {
            var head = ready.get(runId).peek();
            if (head == null || !(head.op() instanceof TrainingOp.ForwardBackward fb)) {
                continue;
            }
            if (forwardOnly != null && fb.forwardOnly() != forwardOnly) {
                continue;
            }
            if (!pass.isEmpty() && tokens + fb.tokens() > options.passTokenBudget()) {
                continue;
            }
            ready.get(runId).poll();
            TrainingRun run = runs.get(runId);
            Planned p = plan(run, head, fb);
            if (p == null) {
                continue;
            }
            pass.add(p);
            forwardOnly = fb.forwardOnly();
            tokens += fb.tokens();
        }
        if (pass.isEmpty()) {
            return false;
        }
        execute(pass, forwardOnly);
        return true;
    }

    private record Planned(TrainingRun run, SequencedQueue.Waiting<TrainingOp> waiting, TrainingOp.ForwardBackward op,
                           List<TrainingExample> examples) {
    }

    /** Validates an op and turns it into engine examples; a user error fails its future and returns null. */
    private Planned plan(TrainingRun run, SequencedQueue.Waiting<TrainingOp> w, TrainingOp.ForwardBackward fb) {
        try {
            if (fb.data().isEmpty()) {
                throw new IllegalArgumentException("forward_backward needs at least one datum");
            }
            LossFunction loss = LossFunctions.create(fb.lossFn(), fb.lossFnConfig());
            int vocab = model.config().vocabSize();
            List<TrainingExample> examples = new ArrayList<>();
            for (int i = 0; i < fb.data().size(); i++) {
                TrainingDatum d = fb.data().get(i);
                if (d.tokens().length > model.maxPositions()) {
                    throw new IllegalArgumentException("datum " + i + " has " + d.tokens().length
                            + " tokens, more than the model's context of " + model.maxPositions());
                }
                for (int t : d.tokens()) {
                    if (t < 0 || t >= vocab) {
                        throw new IllegalArgumentException("datum " + i + ": token id " + t + " is outside the vocabulary [0, " + vocab + ")");
                    }
                }
                for (int t : d.lossInputs().targetTokens()) {
                    if (t < 0 || t >= vocab) {
                        throw new IllegalArgumentException("datum " + i + ": target token id " + t + " is outside the vocabulary [0, " + vocab + ")");
                    }
                }
                try {
                    examples.add(new TrainingExample(run.adapter(), d.tokens(), loss, d.lossInputs()));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("datum " + i + ": " + e.getMessage(), e);
                }
            }
            return new Planned(run, w, fb, examples);
        } catch (IllegalArgumentException e) {
            futures.complete(w.requestId(), FutureOutcome.userError(e.getMessage()));
            return null;
        }
    }

    private void execute(List<Planned> pass, boolean forwardOnly) {
        List<TrainingExample> all = new ArrayList<>();
        for (Planned p : pass) {
            all.addAll(p.examples());
        }
        List<ExampleResult> results;
        try {
            results = engine.forwardBackward(all, !forwardOnly);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "training pass failed", e);
            for (Planned p : pass) {
                futures.complete(p.waiting().requestId(), FutureOutcome.serverError("the training pass failed: " + e.getMessage()));
            }
            return;
        }
        passes.incrementAndGet();
        for (Planned p : pass) {
            passTokens.addAndGet(p.op().tokens());
        }
        int i = 0;
        for (Planned p : pass) {
            List<ForwardBackwardResult.DatumOutput> outputs = new ArrayList<>();
            double loss = 0;
            for (TrainingDatum d : p.op().data()) {
                ExampleResult r = results.get(i++);
                outputs.add(new ForwardBackwardResult.DatumOutput(r.logprobs(), d.targetShape()));
                loss += r.loss();
            }
            futures.complete(p.waiting().requestId(), FutureOutcome.success(
                    new ForwardBackwardResult(outputs, Map.of("loss:sum", loss))));
        }
    }

    private void runSingle(TrainingRun run, SequencedQueue.Waiting<TrainingOp> w) {
        try {
            Object result = switch (w.op()) {
                case TrainingOp.OptimStep o -> optimStep(run, o);
                case TrainingOp.SaveState s -> saveState(run, s);
                case TrainingOp.SaveForSampler s -> saveForSampler(run, s);
                case TrainingOp.LoadState l -> loadState(run, l);
                case TrainingOp.Invalid invalid -> throw new IllegalArgumentException(invalid.message());
                case TrainingOp.ForwardBackward fb -> throw new IllegalStateException("forward_backward is run in passes");
            };
            futures.complete(w.requestId(), FutureOutcome.success(result));
        } catch (IllegalArgumentException e) {
            futures.complete(w.requestId(), FutureOutcome.userError(e.getMessage()));
        } catch (Exception e) {
            LOG.log(Level.WARNING, w.op().operationName() + " failed for " + run.id(), e);
            futures.complete(w.requestId(), FutureOutcome.serverError(w.op().operationName() + " failed: " + e.getMessage()));
        }
    }

    private OptimStepResult optimStep(TrainingRun run, TrainingOp.OptimStep o) {
        StepResult r;
        try {
            r = run.optimizer().apply(run.adapter(), o.params());
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("grad_norm:mean", r.gradNorm());
        metrics.put("step:max", (double) r.step());
        metrics.put("learning_rate:mean", o.params().learningRate());
        return new OptimStepResult(metrics);
    }

    private SaveResult saveState(TrainingRun run, TrainingOp.SaveState s) throws Exception {
        TinkerPath path = new TinkerPath(run.id(), CheckpointKind.WEIGHTS, s.name());
        Path dir = claimDirectory(path);
        TrainingStateFiles.save(dir, run.adapter(), run.optimizer(), kernels, baseModel);
        register(path, dir, s.ttlSeconds());
        return new SaveResult(path.toString(), null);
    }

    private SaveResult saveForSampler(TrainingRun run, TrainingOp.SaveForSampler s) throws Exception {
        if (s.name() == null) {
            LoraAdapter frozen = snapshot(run.adapter(), s.samplingSessionId());
            ephemeralSessions.put(s.samplingSessionId(), new SamplingSession(s.samplingSessionId(), baseModel, null, frozen));
            return new SaveResult(null, s.samplingSessionId());
        }
        TinkerPath path = new TinkerPath(run.id(), CheckpointKind.SAMPLER_WEIGHTS, s.name());
        Path dir = claimDirectory(path);
        TrainingStateFiles.saveForSampler(dir, run.adapter(), kernels, baseModel);
        register(path, dir, s.ttlSeconds());
        return new SaveResult(path.toString(), null);
    }

    private Path claimDirectory(TinkerPath path) {
        if (checkpoints.find(path.toString()).isPresent()) {
            throw new IllegalArgumentException("checkpoint " + path + " already exists");
        }
        return checkpoints.directoryFor(path);
    }

    private void register(TinkerPath path, Path dir, Long ttlSeconds) throws Exception {
        Instant now = clock.instant();
        Checkpoint cp = Checkpoint.saved(java.util.UUID.randomUUID().toString(), path, dir.toString(),
                TrainingStateFiles.sizeBytes(dir), now, ttlSeconds == null ? null : java.time.Duration.ofSeconds(ttlSeconds));
        if (!checkpoints.register(cp)) {
            TrainingStateFiles.deleteTree(dir);
            throw new IllegalArgumentException("checkpoint " + path + " already exists");
        }
    }

    private SaveResult loadState(TrainingRun run, TrainingOp.LoadState l) throws Exception {
        Checkpoint checkpoint = checkpoints.find(l.tinkerPath())
                .orElseThrow(() -> new IllegalArgumentException("checkpoint " + l.tinkerPath() + " not found"));
        if (checkpoint.kind() != CheckpointKind.WEIGHTS) {
            throw new IllegalArgumentException("load_weights needs a training checkpoint (tinker://.../weights/...), got " + l.tinkerPath());
        }
        Path dir = Path.of(checkpoint.storagePath());
        String savedBase = TrainingStateFiles.info(dir).baseModel();
        if (!savedBase.equals(baseModel)) {
            throw new IllegalArgumentException("checkpoint " + l.tinkerPath() + " is for base model " + savedBase
                    + ", this run uses " + baseModel);
        }
        TrainingStateFiles.Restored restored = TrainingStateFiles.load(dir, run.id(), model.config(), kernels, l.withOptimizer());
        AdamW optimizer = new AdamW(kernels);
        if (l.withOptimizer()) {
            optimizer.restore(restored.step(), restored.firstMoments(), restored.secondMoments());
        }
        run.attach(restored.adapter(), optimizer);
        return new SaveResult(l.tinkerPath(), null);
    }

    @Override
    public void close() {
        closed = true;
        wake();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
