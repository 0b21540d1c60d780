package dev.luthier.server.http;

import dev.luthier.api.WireFormatException;
import dev.luthier.api.compress.ContentEncoding;
import dev.luthier.api.future.ErrorCategory;
import dev.luthier.api.future.QueueState;
import dev.luthier.api.future.RequestFailedResponse;
import dev.luthier.api.future.RetrieveFutureRequest;
import dev.luthier.api.future.TryAgainResponse;
import dev.luthier.api.json.WireJson;
import dev.luthier.api.proto.WireProto;
import dev.luthier.api.sampling.CreateSamplingSessionRequest;
import dev.luthier.api.sampling.CreateSamplingSessionResponse;
import dev.luthier.api.sampling.SampleRequest;
import dev.luthier.api.session.ClientConfigResponse;
import dev.luthier.api.session.CreateSessionRequest;
import dev.luthier.api.session.CreateSessionResponse;
import dev.luthier.api.session.DynamicConfigResponse;
import dev.luthier.api.session.ErrorDetail;
import dev.luthier.api.session.HealthResponse;
import dev.luthier.api.session.ServerCapabilitiesResponse;
import dev.luthier.api.session.SessionHeartbeatRequest;
import dev.luthier.api.session.SessionHeartbeatResponse;
import dev.luthier.api.session.SupportedModel;
import dev.luthier.api.session.TelemetryResponse;
import dev.luthier.api.training.CreateModelRequest;
import dev.luthier.api.training.ForwardBackwardRequest;
import dev.luthier.api.training.ForwardRequest;
import dev.luthier.api.training.GetInfoRequest;
import dev.luthier.api.training.LoadWeightsRequest;
import dev.luthier.api.training.OptimStepRequest;
import dev.luthier.api.training.SaveWeightsForSamplerRequest;
import dev.luthier.api.training.SaveWeightsRequest;
import dev.luthier.api.training.UnloadModelRequest;
import dev.luthier.api.training.UnloadModelResponse;
import dev.luthier.server.futures.FutureOutcome;
import dev.luthier.server.service.LuthierService;
import dev.luthier.server.service.ServiceException;
import dev.luthier.server.service.WireConversions;
import dev.luthier.server.training.TrainingOp;
import dev.luthier.server.tenants.Principal;
import dev.luthier.server.tenants.TenantAdmin;
import dev.luthier.server.usage.Prices;
import dev.luthier.server.metrics.ServerMetrics;
import io.javalin.Javalin;
import io.javalin.http.Context;

import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Tinker's HTTP API on Javalin (virtual threads): JSON everywhere, protobuf (optionally zstd) for forward_backward
 * bodies and, when accepted, for forward/backward and sampling results. Validation errors answer 400 with a body;
 * errors of a well-formed training request go through its future, in seq_id order.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ApiServer.class.getName());
    private static final String PREFIX = "/api/v1/";
    /** How long retrieve_future holds a pending request before answering 408. */
    private final Duration longPoll;
    private final long maxBodyBytes;
    private final LuthierService service;
    private final ApiKeyAuth auth;
    private Javalin app;
    private final RestRoutes rest;
    private final AccountingRoutes accounting;
    private final AdminRoutes admin;
    private final ServerMetrics metrics;
    /** Connections the kernel queues before Jetty accepts them; the JDK's default (50) drops bursts of clients. */
    private static final int ACCEPT_QUEUE = 4096;

    public ApiServer(LuthierService service, ApiKeyAuth auth, dev.luthier.server.checkpoints.ArchiveLinks archiveLinks,
                     Duration longPoll, long maxBodyBytes, TenantAdmin tenantAdmin, Prices prices, ServerMetrics metrics) {
        this.metrics = metrics;
        this.service = service;
        this.auth = auth;
        this.longPoll = longPoll;
        this.maxBodyBytes = maxBodyBytes;
        this.rest = new RestRoutes(service, archiveLinks);
        this.accounting = new AccountingRoutes(service, prices);
        this.admin = new AdminRoutes(tenantAdmin);
    }

    public ApiServer start(String host, int port) {
        this.app = Javalin.create(config -> {
            config.useVirtualThreads = true;
            config.showJavalinBanner = false;
            config.http.maxRequestSize = maxBodyBytes;
            config.jetty.modifyServer(server -> {
                org.eclipse.jetty.server.ServerConnector connector = new org.eclipse.jetty.server.ServerConnector(server);
                connector.setHost(host);
                connector.setPort(port);
                connector.setAcceptQueueSize(ACCEPT_QUEUE);
                connector.setIdleTimeout(120_000);
                server.addConnector(connector);
            });
        });
        routes();
        app.start();
        return this;
    }

    public int port() {
        return ((org.eclipse.jetty.server.ServerConnector) app.jettyServer().server().getConnectors()[0]).getLocalPort();
    }

    private void routes() {
        app.before(RequestLog::begin);
        app.after(RequestLog::end);
        app.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
        app.before(PREFIX + "*", this::authenticate);
        app.exception(ServiceException.class, (e, ctx) -> error(ctx, e.status(), e.getMessage()));
        app.exception(io.javalin.http.HttpResponseException.class, (e, ctx) -> error(ctx, e.getStatus(),
                e.getStatus() == 413 ? "request body larger than " + maxBodyBytes + " bytes" : e.getMessage()));
        app.exception(WireFormatException.class, (e, ctx) -> error(ctx, e instanceof ContentEncoding.TooLargeException ? 413 : 400, e.getMessage()));
        app.exception(IllegalArgumentException.class, (e, ctx) -> error(ctx, 400, e.getMessage()));
        app.exception(Exception.class, (e, ctx) -> {
            LOG.log(Level.SEVERE, "request_id=" + RequestLog.id(ctx) + " path=" + ctx.path() + " failed", e);
            error(ctx, 500, "internal error: " + e);
        });
        app.error(404, ctx -> {
            if (ctx.result() == null || ctx.result().isEmpty()) {
                error(ctx, 404, "no route " + ctx.method() + " " + ctx.path());
            }
        });

        app.post(PREFIX + "client/config", ctx -> json(ctx, ClientConfigResponse.recommended()));
        app.post(PREFIX + "client/dynamic_config", ctx -> json(ctx, new DynamicConfigResponse(300)));
        app.get(PREFIX + "healthz", ctx -> json(ctx, HealthResponse.ok()));
        app.post(PREFIX + "telemetry", ctx -> json(ctx, TelemetryResponse.accepted()));
        app.get(PREFIX + "get_server_capabilities", ctx -> json(ctx, new ServerCapabilitiesResponse(
                service.models().capabilities().stream().map(c -> new SupportedModel(c.name(), c.maxContextLength())).toList())));
        app.post(PREFIX + "create_session", ctx -> {
            CreateSessionRequest req = read(ctx, CreateSessionRequest.class);
            json(ctx, CreateSessionResponse.of(service.createSession(req, principal(ctx))));
        });
        app.post(PREFIX + "session_heartbeat", ctx -> {
            service.heartbeat(read(ctx, SessionHeartbeatRequest.class).sessionId(), principal(ctx));
            json(ctx, new SessionHeartbeatResponse());
        });

        app.post(PREFIX + "create_model", ctx -> json(ctx, service.createModel(read(ctx, CreateModelRequest.class), principal(ctx))));
        app.post(PREFIX + "get_info", ctx -> json(ctx, service.getInfo(read(ctx, GetInfoRequest.class).modelId(), principal(ctx))));
        app.post(PREFIX + "forward_backward", this::forwardBackward);
        app.post(PREFIX + "forward", ctx -> {
            ForwardBackwardRequest req = readTraining(ctx, ForwardRequest.class, "Forward").asForwardBackward();
            json(ctx, service.submit(req.modelId(), req.seqId(), trainingOp(req), principal(ctx)));
        });
        app.post(PREFIX + "optim_step", ctx -> {
            OptimStepRequest req = readTraining(ctx, OptimStepRequest.class, "OptimStep");
            TrainingOp op;
            try {
                op = new TrainingOp.OptimStep(WireConversions.adam(req.adamParams()));
            } catch (IllegalArgumentException e) {
                op = new TrainingOp.Invalid("OptimStep", e.getMessage());
            }
            json(ctx, service.submit(req.modelId(), req.seqId(), op, principal(ctx)));
        });
        app.post(PREFIX + "save_weights", ctx -> {
            SaveWeightsRequest req = readTraining(ctx, SaveWeightsRequest.class, "SaveWeights");
            json(ctx, service.submit(req.modelId(), req.seqId(), new TrainingOp.SaveState(req.path(), req.ttlSeconds()), principal(ctx)));
        });
        app.post(PREFIX + "save_weights_for_sampler", ctx -> {
            SaveWeightsForSamplerRequest req = readTraining(ctx, SaveWeightsForSamplerRequest.class, "SaveWeightsForSampler");
            TrainingOp op = req.named() ? new TrainingOp.SaveForSampler(req.path(), null, req.ttlSeconds())
                    : req.samplingSessionSeqId() != null
                    ? new TrainingOp.SaveForSampler(null, req.unnamedSamplerId(), req.ttlSeconds())
                    : new TrainingOp.Invalid("SaveWeightsForSampler", "save_weights_for_sampler needs a path or a sampling_session_seq_id");
            json(ctx, service.submit(req.modelId(), req.seqId(), op, principal(ctx)));
        });
        app.post(PREFIX + "load_weights", ctx -> {
            LoadWeightsRequest req = readTraining(ctx, LoadWeightsRequest.class, "LoadWeights");
            if (req.mode() != LoadWeightsRequest.Mode.MODEL) {
                json(ctx, service.createModelFromCheckpoint(req, principal(ctx)));
                return;
            }
            json(ctx, service.submit(req.modelId(), req.seqId(),
                    new TrainingOp.LoadState(req.path(), req.optimizer() != null && req.optimizer()), principal(ctx)));
        });
        app.post(PREFIX + "unload_model", ctx -> {
            UnloadModelRequest req = read(ctx, UnloadModelRequest.class);
            service.unload(req.modelId(), principal(ctx));
            json(ctx, dev.luthier.api.future.UntypedApiFuture.of(service.completedFuture("UnloadModel", req.modelId(),
                    new UnloadModelResponse(req.modelId()))));
        });

        app.post(PREFIX + "create_sampling_session", ctx -> json(ctx,
                new CreateSamplingSessionResponse(service.createSamplingSession(read(ctx, CreateSamplingSessionRequest.class), principal(ctx)))));
        app.post(PREFIX + "asample", ctx -> json(ctx, service.sample(read(ctx, SampleRequest.class), principal(ctx))));
        app.get(PREFIX + "samplers/{id}", ctx -> json(ctx, service.samplerInfo(ctx.pathParam("id"), principal(ctx))));
        app.post(PREFIX + "retrieve_future", this::retrieveFuture);

        rest.register(app, PREFIX);
        accounting.register(app, PREFIX);
        admin.register(app, PREFIX);
    }

    private void forwardBackward(Context ctx) {
        ForwardBackwardRequest req;
        if (WireProto.isProto(ctx.header("Content-Type"))) {
            byte[] body = ContentEncoding.decode(ctx.bodyAsBytes(), ctx.header("Content-Encoding"), maxBodyBytes);
            req = WireProto.decodeForwardBackwardRequest(body);
        } else {
            req = readTraining(ctx, ForwardBackwardRequest.class, "ForwardBackward");
        }
        json(ctx, service.submit(req.modelId(), req.seqId(), trainingOp(req), principal(ctx)));
    }

    private static TrainingOp trainingOp(ForwardBackwardRequest req) {
        try {
            return WireConversions.forwardBackward(req.input());
        } catch (IllegalArgumentException e) {
            return new TrainingOp.Invalid(req.input().forwardOnly() ? "Forward" : "ForwardBackward", e.getMessage());
        }
    }

    private void retrieveFuture(Context ctx) throws InterruptedException {
        RetrieveFutureRequest req = read(ctx, RetrieveFutureRequest.class);
        String accept = ctx.header("Accept");
        boolean proto = accept != null && accept.contains(WireProto.CONTENT_TYPE);
        LuthierService.Retrieval r = service.retrieve(req.requestId(), longPoll, proto, principal(ctx));
        switch (r) {
            case LuthierService.Retrieval.Result res -> {
                ctx.status(200).contentType(res.contentType()).result(res.body());
            }
            case LuthierService.Retrieval.Failed f -> json(ctx, new RequestFailedResponse(f.message(),
                    f.category() == FutureOutcome.Category.USER ? ErrorCategory.USER : ErrorCategory.SERVER));
            case LuthierService.Retrieval.Pending p -> {
                ctx.status(408);
                json(ctx, 408, new TryAgainResponse(req.requestId(), queueState(p.queueState()), null));
            }
            case LuthierService.Retrieval.Gone g -> error(ctx, 410, "the result of " + req.requestId() + " is no longer kept");
            case LuthierService.Retrieval.Unknown u -> error(ctx, 404, "unknown request_id " + req.requestId());
        }
    }

    private static QueueState queueState(String s) {
        return switch (s) {
            case "paused_rate_limit" -> QueueState.PAUSED_RATE_LIMIT;
            case "paused_capacity" -> QueueState.PAUSED_CAPACITY;
            default -> QueueState.ACTIVE;
        };
    }

    private void authenticate(Context ctx) {
        long length = ctx.contentLength();
        if (length > maxBodyBytes) {
            error(ctx, 413, "request body of " + length + " bytes is larger than the limit of " + maxBodyBytes + " bytes");
            ctx.skipRemainingHandlers();
            return;
        }
        if (ctx.path().equals(PREFIX + "healthz") || ctx.path().startsWith(PREFIX + "archives/")) {
            return;
        }
        var principal = auth.authenticate(ctx.header(ApiKeyAuth.HEADER));
        if (principal.isEmpty()) {
            error(ctx, 401, "missing or invalid X-API-Key (keys start with tml-)");
            ctx.skipRemainingHandlers();
            return;
        }
        ctx.attribute("principal", principal.get());
    }

    static Principal principal(Context ctx) {
        return ctx.attribute("principal");
    }

    /**
     * Reads a sequenced training request. When the body is malformed but still names its model and seq_id, that
     * seq_id is consumed by a request that fails through its future, so later requests of the run do not wait for
     * a gap that will never fill; the caller still gets the 400.
     */
    private <T> T readTraining(Context ctx, Class<T> type, String operation) {
        try {
            return read(ctx, type);
        } catch (WireFormatException e) {
            try {
                var tree = WireJson.readTree(ctx.bodyAsBytes());
                if (tree.hasNonNull("model_id") && tree.path("seq_id").canConvertToInt() && service.run(tree.get("model_id").asText()).isPresent()) {
                    service.submit(tree.get("model_id").asText(), tree.get("seq_id").asInt(),
                            new TrainingOp.Invalid(operation, "malformed request: " + e.getMessage()), principal(ctx));
                }
            } catch (RuntimeException ignored) {
                // Not even JSON: nothing to consume.
            }
            throw e;
        }
    }

    static <T> T read(Context ctx, Class<T> type) {
        byte[] body = ctx.bodyAsBytes();
        if (body.length == 0) {
            throw new WireFormatException("empty request body; expected a JSON object");
        }
        return WireJson.read(body, type);
    }

    static void json(Context ctx, Object body) {
        json(ctx, 200, body);
    }

    static void json(Context ctx, int status, Object body) {
        ctx.status(status).contentType("application/json").result(WireJson.write(body));
    }

    static void error(Context ctx, int status, String message) {
        json(ctx, status, new ErrorDetail(message == null ? "error" : message));
    }

    @Override
    public void close() {
        if (app != null) {
            app.stop();
        }
    }

}
