package dev.luthier.server.service;

import dev.luthier.api.future.UntypedApiFuture;
import dev.luthier.api.ids.CheckpointKind;
import dev.luthier.api.ids.TinkerPath;
import dev.luthier.api.sampling.CreateSamplingSessionRequest;
import dev.luthier.api.sampling.SamplerInfo;
import dev.luthier.api.session.CreateSessionRequest;
import dev.luthier.api.training.CreateModelRequest;
import dev.luthier.api.training.CreateModelResponse;
import dev.luthier.api.training.GetInfoResponse;
import dev.luthier.api.training.ModelData;
import dev.luthier.engine.lora.LoraAdapter;
import dev.luthier.engine.lora.LoraConfig;
import dev.luthier.engine.sampler.SampleRequest;
import dev.luthier.engine.sampler.SamplingParams;
import dev.luthier.server.checkpoints.CheckpointStore;
import dev.luthier.server.checkpoints.TrainingStateFiles;
import dev.luthier.server.futures.FutureOutcome;
import dev.luthier.server.futures.FutureStore;
import dev.luthier.server.models.ModelManager;
import dev.luthier.server.models.ModelWorker;
import dev.luthier.server.sampling.SamplingSession;
import dev.luthier.server.storage.Storage;
import dev.luthier.server.storage.checkpoints.Checkpoint;
import dev.luthier.server.storage.dedupe.ClaimResult;
import dev.luthier.server.storage.dedupe.SeqClaim;
import dev.luthier.server.storage.dedupe.SeqCounter;
import dev.luthier.server.storage.futures.StoredFuture;
import dev.luthier.server.storage.ids.TinkerIds;
import dev.luthier.server.storage.runs.LoraSettings;
import dev.luthier.server.storage.sessions.Session;
import dev.luthier.server.training.TrainingOp;
import dev.luthier.server.training.TrainingRun;
import dev.luthier.server.audit.AuditTrail;
import dev.luthier.server.storage.audit.AuditEvent;
import dev.luthier.server.tenants.Ownership;
import dev.luthier.server.tenants.InFlightLimiter;
import dev.luthier.server.tenants.Principal;
import dev.luthier.server.tenants.Quotas;
import dev.luthier.server.tenants.RunAdmission;
import dev.luthier.server.usage.UsageMeter;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The service behind the HTTP routes: sessions, training runs and their sequenced ops, sampling sessions and
 * samples, and futures (in memory while live, persisted when finished so they survive a restart).
 */
public final class LuthierService implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LuthierService.class.getName());
    public static final int DEFAULT_LORA_RANK = 32;
    public static final int DEFAULT_MAX_TOKENS = 128;

    private final Storage storage;
    private final ModelManager models;
    private final FutureStore futures;
    private final CheckpointStore checkpoints;
    private final Clock clock;
    private final Map<String, TrainingRun> runs = new ConcurrentHashMap<>();
    private final Map<String, SamplingSession> samplers = new ConcurrentHashMap<>();
    /** Sampling sessions that unnamed sampler saves will create, with the base model that serves them. */
    private final Map<String, String> pendingEphemeral = new ConcurrentHashMap<>();
    private final Map<String, String> sampleDedupe = new ConcurrentHashMap<>();
    /** The run or sampling session of each live request, whose owner may poll it (kept in the database too). */
    private final Map<String, String> futureScopes = new ConcurrentHashMap<>();
    /** When each run's last_request_time was last written; it is refreshed at most once a second. */
    private final Map<String, Instant> lastTouched = new ConcurrentHashMap<>();
    private final Ownership ownership;
    private final Quotas quotas;
    private final RunAdmission admission;
    private final InFlightLimiter samplingSlots = new InFlightLimiter();
    private final UsageMeter meter;
    private final AuditTrail audit;
    /** What to record (usage, audit) when a request succeeds; run on the persister thread. */
    private final Map<String, java.util.function.Consumer<Object>> onSuccess = new ConcurrentHashMap<>();
    /** Writes finished results to the database off the model workers' threads, in completion order. */
    private final java.util.concurrent.ExecutorService persister = java.util.concurrent.Executors.newSingleThreadExecutor(
            r -> Thread.ofPlatform().daemon(true).name("future-persister").unstarted(r));

    public LuthierService(Storage storage, ModelManager models, FutureStore futures, CheckpointStore checkpoints, Clock clock) {
        this.storage = storage;
        this.models = models;
        this.futures = futures;
        this.checkpoints = checkpoints;
        this.clock = clock;
        this.ownership = new Ownership(storage);
        this.quotas = new Quotas(storage.tenants(), clock);
        this.admission = new RunAdmission(quotas, futures, this::loadedRuns);
        this.meter = new UsageMeter(storage.usage(), clock);
        this.audit = new AuditTrail(storage.audit(), clock);
        futures.onComplete((id, outcome) -> persister.execute(() -> {
            persist(id, outcome);
            account(id, outcome);
        }));
    }

    public ModelManager models() {
        return models;
    }

    public Storage storage() {
        return storage;
    }

    public CheckpointStore checkpoints() {
        return checkpoints;
    }

    public UsageMeter usageMeter() {
        return meter;
    }

    public FutureStore futures() {
        return futures;
    }

    /** Training runs and sampling sessions with an adapter in memory. */
    public int adaptersLoaded() {
        return runs.size() + (int) samplers.values().stream().filter(x -> x.adapter() != null).count();
    }

    /** Requests submitted and not finished, per tenant ({@code local} without keys). */
    public Map<String, Integer> pendingByTenant() {
        Map<String, Integer> out = new java.util.TreeMap<>();
        for (var e : futureScopes.entrySet()) {
            if (futures.isPending(e.getKey())) {
                out.merge(ownership.tenantOfScope(e.getValue()).orElse(dev.luthier.server.storage.tenants.Tenant.LOCAL), 1, Integer::sum);
            }
        }
        return out;
    }

    public Ownership ownership() {
        return ownership;
    }

    /**
     * Waits until the usage and audit events of every request completed so far are recorded: they are written on the
     * persister thread after completion, and a client that has seen a result expects the usage and audit it reads
     * next to include it.
     */
    public void awaitAccounting() {
        try {
            persister.submit(() -> { }).get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException
                 | java.util.concurrent.RejectedExecutionException e) {
            // shutting down or stuck: answer with what is recorded
        }
    }

    public AuditTrail audit() {
        return audit;
    }

    /** A request id whose result is already known (for calls that finish at once but answer with a future). */
    public String completedFuture(String operation, String modelId, Object payload) {
        String requestId = UUID.randomUUID().toString();
        register(requestId, operation, modelId);
        futures.complete(requestId, FutureOutcome.success(payload));
        return requestId;
    }

    // ------------------------------------------------------------------ sessions

    public String createSession(CreateSessionRequest req, Principal caller) {
        String id = UUID.randomUUID().toString();
        storage.sessions().create(Session.started(id, caller.apiKeyId(), req.tags(), req.userMetadata(), req.sdkVersion(),
                req.projectId(), clock.instant()));
        return id;
    }

    public void heartbeat(String sessionId, Principal caller) {
        if (!ownership.ownsSession(caller, sessionId) || !storage.sessions().heartbeat(sessionId, clock.instant())) {
            throw ServiceException.notFound("session " + sessionId);
        }
    }

    /** The caller's session; another tenant's is as missing as one that does not exist. */
    private Session session(String id, Principal caller) {
        return storage.sessions().get(id).filter(s -> ownership.ownsSession(caller, id))
                .orElseThrow(() -> ServiceException.notFound("session " + id));
    }

    /** A checkpoint the caller may read (theirs or published), or empty. */
    public Optional<Checkpoint> readableCheckpoint(String tinkerPath, Principal caller) {
        return checkpoints.find(tinkerPath).filter(cp -> ownership.canRead(caller, cp));
    }

    // ------------------------------------------------------------------ training runs

    public UntypedApiFuture createModel(CreateModelRequest req, Principal caller) {
        refuseWhenShuttingDown();
        session(req.sessionId(), caller);
        String modelId = TinkerIds.trainingRun(req.sessionId(), req.modelSeqId());
        String requestId = UUID.randomUUID().toString();
        ClaimResult claim = storage.dedupe().claim(new SeqClaim(req.sessionId(), SeqCounter.TRAIN, req.modelSeqId(),
                modelId, requestId, clock.instant()));
        if (!claim.fresh()) {
            return new UntypedApiFuture(claim.claim().requestId(), claim.claim().targetId());
        }
        register(requestId, "CreateModel", modelId);
        admission.admit(caller.tenantId(), requestId, () -> startModel(req, caller, modelId, requestId));
        return new UntypedApiFuture(requestId, modelId);
    }

    private void startModel(CreateModelRequest req, Principal caller, String modelId, String requestId) {
        String apiKeyId = caller.apiKeyId();
        try {
            var lora = req.loraConfig();
            int rank = lora == null || lora.rank() == null ? DEFAULT_LORA_RANK : lora.rank();
            boolean attn = lora == null || lora.trainAttn() == null || lora.trainAttn();
            boolean mlp = lora == null || lora.trainMlp() == null || lora.trainMlp();
            boolean unembed = lora == null || lora.trainUnembed() == null || lora.trainUnembed();
            long seed = lora != null && lora.seed() != null ? lora.seed() : new java.util.Random().nextLong();
            LoraConfig config = new LoraConfig(rank, LoraConfig.DEFAULT_ALPHA, seed, attn, mlp, unembed);
            ModelWorker worker = models.worker(req.baseModel());
            storage.runs().create(dev.luthier.server.storage.runs.TrainingRun.created(modelId, req.sessionId(),
                    req.modelSeqId(), apiKeyId, req.baseModel(), new LoraSettings(rank, LoraConfig.DEFAULT_ALPHA, seed,
                            attn, mlp, unembed), req.userMetadata(), clock.instant()));
            TrainingRun run = new TrainingRun(modelId, req.sessionId(), req.baseModel(), config, stringMap(req.userMetadata()), clock);
            runs.put(modelId, run);
            worker.addRun(run).whenComplete((ok, error) -> futures.complete(requestId, error == null
                    ? FutureOutcome.success(new CreateModelResponse(modelId))
                    : FutureOutcome.serverError("creating the adapter failed: " + cause(error).getMessage())));
        } catch (IllegalArgumentException e) {
            futures.complete(requestId, FutureOutcome.userError(e.getMessage()));
        } catch (IOException e) {
            futures.complete(requestId, FutureOutcome.serverError("loading base model " + req.baseModel() + " failed: " + e.getMessage()));
        }
    }

    /**
     * {@code load_weights} addressed to a session (config {@code create_model_via_load_weights}): the load is request 0
     * of a new run {@code <session>:train:<model_seq_id>} whose LoRA config and base model come from the checkpoint.
     */
    public UntypedApiFuture createModelFromCheckpoint(dev.luthier.api.training.LoadWeightsRequest req, Principal caller) {
        refuseWhenShuttingDown();
        session(req.sessionId(), caller);
        String modelId = TinkerIds.trainingRun(req.sessionId(), req.modelSeqId());
        String requestId = UUID.randomUUID().toString();
        ClaimResult claim = storage.dedupe().claim(new SeqClaim(req.sessionId(), SeqCounter.TRAIN, req.modelSeqId(),
                modelId, requestId, clock.instant()));
        if (!claim.fresh()) {
            return new UntypedApiFuture(claim.claim().requestId(), claim.claim().targetId());
        }
        register(requestId, "LoadWeights", modelId);
        admission.admit(caller.tenantId(), requestId, () -> startModelFromCheckpoint(req, caller, modelId, requestId));
        return new UntypedApiFuture(requestId, modelId);
    }

    private void startModelFromCheckpoint(dev.luthier.api.training.LoadWeightsRequest req, Principal caller, String modelId,
                                          String requestId) {
        String apiKeyId = caller.apiKeyId();
        try {
            TinkerPath path = TinkerPath.parse(req.path());
            Checkpoint cp = readableCheckpoint(path.toString(), caller)
                    .orElseThrow(() -> new IllegalArgumentException("checkpoint " + req.path() + " not found"));
            if (cp.kind() != CheckpointKind.WEIGHTS) {
                throw new IllegalArgumentException("load_weights needs a training checkpoint (tinker://.../weights/...), got " + req.path());
            }
            TrainingStateFiles.Info info = TrainingStateFiles.info(Path.of(cp.storagePath()));
            String baseModel = req.baseModel() != null ? req.baseModel() : info.baseModel();
            if (!baseModel.equals(info.baseModel())) {
                throw new IllegalArgumentException("checkpoint " + req.path() + " is for base model " + info.baseModel() + ", not " + baseModel);
            }
            LoraConfig config = info.lora();
            ModelWorker worker = models.worker(baseModel);
            storage.runs().create(dev.luthier.server.storage.runs.TrainingRun.created(modelId, req.sessionId(),
                    req.modelSeqId(), apiKeyId, baseModel, new LoraSettings(config.rank(), config.alpha(), config.seed(),
                            config.trainAttn(), config.trainMlp(), config.trainUnembed()), req.userMetadata(), clock.instant()));
            TrainingRun run = new TrainingRun(modelId, req.sessionId(), baseModel, config, stringMap(req.userMetadata()), clock);
            runs.put(modelId, run);
            boolean withOptimizer = req.optimizer() != null && req.optimizer();
            onSuccess.put(requestId, result -> audit.checkpoint(caller.accountTenant(), apiKeyId,
                    AuditEvent.CHECKPOINT_LOADED, modelId, path.toString()));
            worker.addRun(run).thenCompose(ok -> worker.restore(run, path.toString(), withOptimizer))
                    .whenComplete((ok, error) -> futures.complete(requestId, error == null
                            ? FutureOutcome.success(new dev.luthier.api.training.LoadWeightsResponse(path.toString(), modelId))
                            : cause(error) instanceof IllegalArgumentException iae ? FutureOutcome.userError(iae.getMessage())
                            : FutureOutcome.serverError("loading " + req.path() + " failed: " + cause(error).getMessage())));
        } catch (IllegalArgumentException e) {
            futures.complete(requestId, FutureOutcome.userError(e.getMessage()));
        } catch (IOException e) {
            futures.complete(requestId, FutureOutcome.serverError("loading " + req.path() + " failed: " + e.getMessage()));
        }
    }

    // ------------------------------------------------------------------ quotas

    /** Starts parked runs whose tenants have free slots (after an unload, or a quota raised). */
    public void admitParked() {
        admission.admitWaiting();
    }

    /** Training runs of a tenant loaded now. */
    public int loadedRuns(String tenant) {
        int n = 0;
        for (String id : runs.keySet()) {
            if (ownership.tenantOfScope(id).map(t -> t.equals(tenant)).orElse(false)) {
                n++;
            }
        }
        return n;
    }

    /** Training runs waiting for a slot, per tenant (for metrics). */
    public Map<String, Integer> parkedRunsByTenant() {
        return admission.waitingByTenant();
    }

    /** Sampling requests in flight, per tenant (for metrics). */
    public Map<String, Integer> samplesInFlightByTenant() {
        return samplingSlots.snapshot();
    }

    private static Map<String, String> stringMap(Map<String, Object> m) {
        if (m == null) {
            return Map.of();
        }
        Map<String, String> out = new java.util.LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, String.valueOf(v)));
        return out;
    }

    public GetInfoResponse getInfo(String modelId, Principal caller) {
        var row = storage.runs().get(modelId).filter(r -> ownership.ownsScope(caller, modelId))
                .orElseThrow(() -> ServiceException.notFound("model " + modelId));
        String arch = models.loadedWorker(row.baseModel()).map(w -> w.config().family().modelType()).orElse(null);
        return new GetInfoResponse(modelId, new ModelData(arch, row.baseModel(), row.baseModel()), row.lora().isLora(),
                row.lora().rank(), row.baseModel());
    }

    /** Queues a sequenced op of a training run; a resent seq_id returns the original request id. */
    public UntypedApiFuture submit(String modelId, int seqId, TrainingOp op, Principal caller) {
        refuseWhenShuttingDown();
        if (seqId < 1) {
            throw ServiceException.badRequest("seq_id must be at least 1, got " + seqId);
        }
        if (!ownership.ownsScope(caller, modelId)) {
            throw ServiceException.notFound("model " + modelId);
        }
        if (op instanceof TrainingOp.LoadState load && readableCheckpoint(load.tinkerPath(), caller).isEmpty()) {
            // Another tenant's unpublished checkpoint is as missing as one that does not exist; the seq_id is used up.
            op = new TrainingOp.Invalid(op.operationName(), "checkpoint " + load.tinkerPath() + " not found");
        }
        TrainingRun run = runs.get(modelId);
        if (run == null) {
            var row = storage.runs().get(modelId).orElseThrow(() -> ServiceException.notFound("model " + modelId));
            String requestId = UUID.randomUUID().toString();
            register(requestId, op.operationName(), modelId);
            futures.complete(requestId, FutureOutcome.userError("model " + modelId + " is no longer loaded ("
                    + (row.stateMessage() != null ? row.stateMessage() : row.state().name().toLowerCase())
                    + "); create a new training client from one of its checkpoints"));
            return new UntypedApiFuture(requestId, modelId);
        }
        String requestId = UUID.randomUUID().toString();
        futures.register(requestId, op.operationName());
        futureScopes.put(requestId, modelId);
        // All before the op is queued: the worker may finish it, and its result be persisted, before submit returns.
        onSuccess.put(requestId, accountingFor(caller, run, op));
        storage.futures().insertPending(requestId, op.operationName(), modelId, clock.instant());
        var queued = run.queue().submit(seqId, requestId, op);
        if (!queued.fresh()) {
            futures.discard(requestId);
            futureScopes.remove(requestId);
            onSuccess.remove(requestId);
            storage.futures().deletePending(requestId);
            return new UntypedApiFuture(queued.requestId(), modelId);
        }
        Instant now = clock.instant();
        Instant touched = lastTouched.get(modelId);
        if (touched == null || touched.plusSeconds(1).isBefore(now)) {
            lastTouched.put(modelId, now);
            storage.runs().touch(modelId, now);
        }
        if (op instanceof TrainingOp.SaveForSampler s && s.samplingSessionId() != null) {
            pendingEphemeral.put(s.samplingSessionId(), run.baseModel());
        }
        models.loadedWorker(run.baseModel()).ifPresent(ModelWorker::wake);
        return new UntypedApiFuture(requestId, modelId);
    }

    public void unload(String modelId, Principal caller) {
        TrainingRun run = ownership.ownsScope(caller, modelId) ? runs.remove(modelId) : null;
        if (run == null) {
            throw ServiceException.notFound("model " + modelId);
        }
        models.loadedWorker(run.baseModel()).ifPresent(w -> w.removeRun(modelId));
        storage.runs().setState(modelId, dev.luthier.server.storage.runs.RunState.UNLOADED, "unloaded by the client");
        admitParked();
    }

    /** Forgets sample dedupe keys whose requests are no longer kept. */
    public void pruneSampleDedupe() {
        sampleDedupe.values().removeIf(id -> futures.operation(id).isEmpty());
        futureScopes.keySet().removeIf(id -> futures.operation(id).isEmpty());
    }

    /** True while a base model has training runs or sampling sessions that may use it. */
    public boolean hasWork(String baseModel) {
        return runs.values().stream().anyMatch(r -> r.baseModel().equals(baseModel))
                || samplers.values().stream().anyMatch(s -> s.baseModel().equals(baseModel));
    }

    public Optional<TrainingRun> run(String modelId) {
        return Optional.ofNullable(runs.get(modelId));
    }

    // ------------------------------------------------------------------ sampling

    public String createSamplingSession(CreateSamplingSessionRequest req, Principal caller) {
        session(req.sessionId(), caller);
        String id = TinkerIds.samplingSession(req.sessionId(), req.samplingSessionSeqId());
        ClaimResult claim = storage.dedupe().claim(new SeqClaim(req.sessionId(), SeqCounter.SAMPLE,
                req.samplingSessionSeqId(), id, null, clock.instant()));
        if (!claim.fresh()) {
            return claim.claim().targetId();
        }
        String baseModel = req.baseModel();
        LoraAdapter adapter = null;
        try {
            if (req.modelPath() != null) {
                TinkerPath path = TinkerPath.parse(req.modelPath());
                Checkpoint cp = readableCheckpoint(path.toString(), caller)
                        .orElseThrow(() -> ServiceException.notFound("checkpoint " + req.modelPath()));
                String savedBase = checkpointBaseModel(cp);
                if (baseModel != null && !baseModel.equals(savedBase)) {
                    throw ServiceException.badRequest("checkpoint " + path + " is for base model " + savedBase + ", not " + baseModel);
                }
                baseModel = savedBase;
                adapter = models.worker(baseModel).loadSamplerAdapter(cp, id).join();
            } else if (baseModel == null) {
                throw ServiceException.badRequest("create_sampling_session needs base_model or model_path");
            } else {
                models.worker(baseModel);
            }
        } catch (IllegalArgumentException e) {
            throw ServiceException.badRequest(e.getMessage());
        } catch (IOException | CompletionException e) {
            throw new ServiceException(500, "loading " + (req.modelPath() != null ? req.modelPath() : baseModel)
                    + " failed: " + cause(e).getMessage());
        }
        storage.samplers().create(new dev.luthier.server.storage.samplers.SamplingSession(id, req.sessionId(),
                req.samplingSessionSeqId(), baseModel, req.modelPath(), clock.instant()));
        samplers.put(id, new SamplingSession(id, baseModel, req.modelPath(), adapter));
        return id;
    }

    /** The base model of a checkpoint, from its files (training state or PEFT adapter config). */
    private String checkpointBaseModel(Checkpoint cp) throws IOException {
        Path dir = Path.of(cp.storagePath());
        if (cp.kind() == CheckpointKind.WEIGHTS) {
            return TrainingStateFiles.info(dir).baseModel();
        }
        String base = dev.luthier.engine.lora.PeftAdapterFiles.read(dir).baseModelNameOrPath();
        if (base == null) {
            throw new IOException("sampler checkpoint " + cp.tinkerPath() + " does not name its base model");
        }
        return base;
    }

    private SamplingSession samplingSession(String id, Principal caller) {
        if (!ownership.ownsScope(caller, id)) {
            throw ServiceException.notFound("sampling session " + id);
        }
        SamplingSession s = samplers.get(id);
        if (s != null) {
            return s;
        }
        String base = pendingEphemeral.get(id);
        if (base != null) {
            SamplingSession made = models.loadedWorker(base).map(w -> w.takeEphemeralSession(id)).orElse(null);
            if (made != null) {
                samplers.put(id, made);
                return made;
            }
            throw ServiceException.badRequest("sampling session " + id + " is not ready yet: its save_weights_for_sampler has not finished");
        }
        throw ServiceException.notFound("sampling session " + id);
    }

    public SamplerInfo samplerInfo(String id, Principal caller) {
        SamplingSession s = samplingSession(id, caller);
        return new SamplerInfo(id, s.baseModel(), s.modelPath());
    }

    /** Queues a sample; 429 (ServiceException) when the sampler is saturated. */
    public UntypedApiFuture sample(dev.luthier.api.sampling.SampleRequest req, Principal caller) {
        refuseWhenShuttingDown();
        String sessionId = req.samplingSessionId();
        if (sessionId == null) {
            throw ServiceException.badRequest("asample needs sampling_session_id (SDKs before 0.3 are not supported)");
        }
        SamplingSession s = samplingSession(sessionId, caller);
        String dedupeKey = req.seqId() == null ? null : sessionId + "#" + req.seqId();
        if (dedupeKey != null) {
            String known = sampleDedupe.get(dedupeKey);
            if (known != null && futures.operation(known).isPresent()) {
                return UntypedApiFuture.of(known);
            }
            if (known != null) {
                // The original's result is gone (410): a resend is a new request.
                sampleDedupe.remove(dedupeKey, known);
            }
        }
        ModelWorker worker;
        try {
            worker = models.worker(s.baseModel());
        } catch (IOException e) {
            throw new ServiceException(500, "loading base model " + s.baseModel() + " failed: " + e.getMessage());
        }
        if (worker.samplerSaturated()) {
            throw new ServiceException(429, "the sampler of " + s.baseModel() + " is saturated; retry shortly");
        }
        String tenant = caller.accountTenant();
        Integer maxSampling = quotas.maxSamplingRequests(caller.tenantId());
        if (!samplingSlots.tryAcquire(tenant, maxSampling)) {
            // The SDK waits and resends the same seq_id: pushed back, never lost.
            throw new ServiceException(429, "tenant has " + maxSampling + " sampling requests in flight, its quota; retry shortly");
        }
        String requestId = UUID.randomUUID().toString();
        if (dedupeKey != null) {
            String raced = sampleDedupe.putIfAbsent(dedupeKey, requestId);
            if (raced != null) {
                samplingSlots.release(tenant);
                return UntypedApiFuture.of(raced);
            }
        }
        register(requestId, "Sample", sessionId);
        try {
            if (!req.prompt().textOnly()) {
                throw new IllegalArgumentException("prompt has image or audio chunks; the served models read text tokens only");
            }
            SamplingParams params = WireConversions.sampling(req.samplingParams(), DEFAULT_MAX_TOKENS);
            int n = req.numSamples() == null ? 1 : req.numSamples();
            boolean promptLogprobs = req.promptLogprobs() != null && req.promptLogprobs();
            int topk = req.topkPromptLogprobs() == null ? 0 : req.topkPromptLogprobs();
            UsageMeter.Account account = new UsageMeter.Account(caller.accountTenant(), TinkerIds.sessionOf(sessionId),
                    sessionId, s.baseModel());
            int promptTokens = req.prompt().tokens().length;
            onSuccess.put(requestId, result -> meter.sampled(account, promptTokens, (dev.luthier.engine.sampler.SampleResult) result));
            worker.sample(new SampleRequest(s.adapter(), req.prompt().tokens(), params, n, promptLogprobs, topk))
                    .whenComplete((result, error) -> {
                        samplingSlots.release(tenant);
                        futures.complete(requestId, error == null
                                ? FutureOutcome.success(result)
                                : FutureOutcome.serverError("sampling failed: " + cause(error).getMessage()));
                    });
        } catch (IllegalArgumentException | IllegalStateException e) {
            samplingSlots.release(tenant);
            futures.complete(requestId, FutureOutcome.userError(e.getMessage()));
        }
        return UntypedApiFuture.of(requestId);
    }

    // ------------------------------------------------------------------ futures

    private void register(String requestId, String operation, String modelId) {
        futures.register(requestId, operation);
        if (modelId != null) {
            futureScopes.put(requestId, modelId);
        }
        storage.futures().insertPending(requestId, operation, modelId, clock.instant());
    }

    /** What a training op records when it succeeds: its usage, and for saves the audit event. */
    private java.util.function.Consumer<Object> accountingFor(Principal caller, TrainingRun run, TrainingOp op) {
        UsageMeter.Account account = new UsageMeter.Account(caller.accountTenant(), run.sessionId(), run.id(), run.baseModel());
        return result -> {
            meter.trainingOpDone(account, op, result);
            String event = switch (op) {
                case TrainingOp.SaveState s -> AuditEvent.CHECKPOINT_SAVED;
                case TrainingOp.SaveForSampler s -> AuditEvent.CHECKPOINT_SAVED;
                case TrainingOp.LoadState l -> AuditEvent.CHECKPOINT_LOADED;
                default -> null;
            };
            if (event != null && result instanceof dev.luthier.server.training.SaveResult saved && saved.path() != null) {
                audit.checkpoint(caller.accountTenant(), caller.apiKeyId(), event, run.id(), saved.path());
            }
        };
    }

    /** Records what a finished request used; failures use nothing. */
    private void account(String requestId, FutureOutcome outcome) {
        var action = onSuccess.remove(requestId);
        if (action == null || !(outcome instanceof FutureOutcome.Success success)) {
            return;
        }
        try {
            action.accept(success.payload());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not record the usage of " + requestId, e);
        }
    }

    private void persist(String requestId, FutureOutcome outcome) {
        try {
            Instant now = clock.instant();
            switch (outcome) {
                case FutureOutcome.Success s -> {
                    String op = futures.operation(requestId).orElse("Unknown");
                    storage.futures().complete(requestId, "application/json",
                            ResultEncoding.json(ResultEncoding.toWire(op, s.payload())), now);
                }
                case FutureOutcome.Failure f -> storage.futures().fail(requestId, f.message(), f.category(), now);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not persist the result of " + requestId, e);
        }
    }

    /** What a poll of a request finds, with results encoded for the wire. */
    public sealed interface Retrieval {
        record Result(String contentType, byte[] body) implements Retrieval {
        }

        record Failed(String message, FutureOutcome.Category category) implements Retrieval {
        }

        record Pending(String queueState) implements Retrieval {
        }

        record Gone() implements Retrieval {
        }

        record Unknown() implements Retrieval {
        }
    }

    public Retrieval retrieve(String requestId, Duration wait, boolean acceptsProto, Principal caller) throws InterruptedException {
        if (!caller.unrestricted() && !ownsFuture(requestId, caller)) {
            return new Retrieval.Unknown();
        }
        FutureStore.Lookup lookup = futures.await(requestId, wait);
        return switch (lookup) {
            case FutureStore.Lookup.Done d -> switch (d.outcome()) {
                case FutureOutcome.Success s -> encode(futures.operation(requestId).orElse("Unknown"), s.payload(), acceptsProto);
                case FutureOutcome.Failure f -> new Retrieval.Failed(f.message(), f.category());
            };
            case FutureStore.Lookup.Pending p -> new Retrieval.Pending(p.queueState());
            case FutureStore.Lookup.Gone g -> fromStorage(requestId, acceptsProto);
            case FutureStore.Lookup.Unknown u -> fromStorage(requestId, acceptsProto);
        };
    }

    /** Whether a request is the caller's: through the run or sampling session it belongs to. */
    private boolean ownsFuture(String requestId, Principal caller) {
        String scope = futureScopes.get(requestId);
        if (scope == null) {
            scope = storage.futures().get(requestId).map(StoredFuture::modelId).orElse(null);
        }
        return scope != null && ownership.ownsScope(caller, scope);
    }

    private Retrieval encode(String operation, Object payload, boolean acceptsProto) {
        Object wire = ResultEncoding.toWire(operation, payload);
        if (acceptsProto && ResultEncoding.hasProtoForm(operation)) {
            byte[] proto = switch (wire) {
                case dev.luthier.api.training.ForwardBackwardOutput o -> dev.luthier.api.proto.WireProto.encodeForwardBackwardOutput(o);
                case dev.luthier.api.sampling.SampleResponse r -> dev.luthier.api.proto.WireProto.encodeSampleResponse(r);
                default -> null;
            };
            if (proto != null) {
                return new Retrieval.Result(dev.luthier.api.proto.WireProto.CONTENT_TYPE, proto);
            }
        }
        return new Retrieval.Result("application/json", ResultEncoding.json(wire));
    }

    private Retrieval fromStorage(String requestId, boolean acceptsProto) {
        Optional<StoredFuture> stored = storage.futures().get(requestId);
        if (stored.isEmpty()) {
            return new Retrieval.Unknown();
        }
        StoredFuture f = stored.get();
        return switch (f.state()) {
            case DONE -> {
                if (acceptsProto && ResultEncoding.hasProtoForm(f.operation())) {
                    yield new Retrieval.Result(dev.luthier.api.proto.WireProto.CONTENT_TYPE,
                            ResultEncoding.protoFromJson(f.operation(), f.result()));
                }
                yield new Retrieval.Result(f.resultContentType(), f.result());
            }
            case FAILED -> new Retrieval.Failed(f.errorMessage(), f.errorCategory());
            case PENDING -> new Retrieval.Failed("the server lost this request (it restarted while the request was running)",
                    FutureOutcome.Category.SERVER);
            case EXPIRED -> new Retrieval.Gone();
        };
    }

    private static Throwable cause(Throwable t) {
        while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    // ------------------------------------------------------------------ shutdown

    /** The message of requests still unfinished when the server stops. */
    public static final String SHUT_DOWN = "the server shut down (for a restart) before this request finished; submit it again";
    private volatile boolean shuttingDown;

    /** From now on new work is refused with 503 (the SDK retries it); polls keep working. */
    public void beginShutdown() {
        shuttingDown = true;
    }

    private void refuseWhenShuttingDown() {
        if (shuttingDown) {
            throw new ServiceException(503, "the server is shutting down; retry in a moment");
        }
    }

    /** Waits up to {@code grace} for the requests in flight to finish. @return how many are still unfinished */
    public int drain(Duration grace) throws InterruptedException {
        long deadline = System.nanoTime() + grace.toNanos();
        while (futures.pendingCount() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        return futures.pendingCount();
    }

    /** Fails every unfinished request with {@link #SHUT_DOWN} (persisted, so a poll after the restart gets it). */
    public int failUnfinished() {
        List<String> pending = futures.pendingIds();
        for (String id : pending) {
            futures.complete(id, FutureOutcome.serverError(SHUT_DOWN));
        }
        return pending.size();
    }

    @Override
    public void close() {
        models.close();
        persister.shutdown();
        try {
            if (!persister.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS)) {
                LOG.warning("some finished results were not written before shutdown");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
