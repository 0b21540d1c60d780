package dev.luthier.server.http;

import dev.luthier.api.ids.CheckpointKind;
import dev.luthier.api.ids.TinkerPath;
import dev.luthier.api.rest.CheckpointTtlRequest;
import dev.luthier.api.rest.CheckpointsResponse;
import dev.luthier.api.rest.Cursor;
import dev.luthier.api.rest.SessionResponse;
import dev.luthier.api.rest.SessionsResponse;
import dev.luthier.api.rest.TrainingRunsResponse;
import dev.luthier.api.rest.WeightsInfoRequest;
import dev.luthier.api.rest.WeightsInfoResponse;
import dev.luthier.server.checkpoints.TrainingStateFiles;
import dev.luthier.server.service.LuthierService;
import dev.luthier.server.service.ServiceException;
import dev.luthier.server.storage.checkpoints.Checkpoint;
import dev.luthier.server.storage.db.Owner;
import dev.luthier.server.storage.db.Page;
import dev.luthier.server.storage.db.PageRequest;
import dev.luthier.server.storage.runs.TrainingRun;
import dev.luthier.server.storage.audit.AuditEvent;
import dev.luthier.server.tenants.Principal;
import io.javalin.Javalin;
import io.javalin.http.Context;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

import static dev.luthier.server.http.ApiServer.json;
import static dev.luthier.server.http.ApiServer.principal;
import static dev.luthier.server.http.ApiServer.read;

/** The REST routes of §8: training runs, checkpoints (list, delete, publish, TTL), weights_info, sessions. */
final class RestRoutes {
    private static final java.time.Duration ARCHIVE_LINK_LIFETIME = java.time.Duration.ofMinutes(15);
    private final LuthierService service;
    private final dev.luthier.server.checkpoints.ArchiveLinks archiveLinks;

    RestRoutes(LuthierService service, dev.luthier.server.checkpoints.ArchiveLinks archiveLinks) {
        this.service = service;
        this.archiveLinks = archiveLinks;
    }

    void register(Javalin app, String prefix) {
        app.get(prefix + "training_runs", ctx -> {
            Page<TrainingRun> page = service.storage().runs().list(owner(ctx), page(ctx, 20));
            json(ctx, new TrainingRunsResponse(page.items().stream().map(this::wireRun).toList(), cursor(page)));
        });
        app.get(prefix + "training_runs/{run}", ctx -> json(ctx, wireRun(ownedRun(ctx, ctx.pathParam("run")))));
        app.get(prefix + "training_runs/{run}/checkpoints", ctx -> {
            TrainingRun run = ownedRun(ctx, ctx.pathParam("run"));
            Page<Checkpoint> page = service.storage().checkpoints().listByRun(run.modelId(), page(ctx, 1000));
            json(ctx, new CheckpointsResponse(page.items().stream().map(RestRoutes::wireCheckpoint).toList(), cursor(page)));
        });
        app.get(prefix + "checkpoints", ctx -> {
            Page<Checkpoint> page = service.storage().checkpoints().listForOwner(owner(ctx), false, page(ctx, 100));
            json(ctx, new CheckpointsResponse(page.items().stream().map(RestRoutes::wireCheckpoint).toList(), cursor(page)));
        });
        app.post(prefix + "training_runs/{run}/checkpoints/<ckpt>/publish", ctx -> {
            Checkpoint cp = ownedCheckpoint(ctx);
            if (cp.isPublic()) {
                throw ServiceException.badRequest("checkpoint " + cp.tinkerPath() + " is already public");
            }
            service.storage().checkpoints().setPublic(cp.tinkerPath(), true);
            audit(ctx, AuditEvent.CHECKPOINT_PUBLISHED, cp);
            ctx.status(204);
        });
        app.delete(prefix + "training_runs/{run}/checkpoints/<ckpt>/publish", ctx -> {
            Checkpoint cp = ownedCheckpoint(ctx);
            if (service.storage().checkpoints().setPublic(cp.tinkerPath(), false)) {
                audit(ctx, AuditEvent.CHECKPOINT_UNPUBLISHED, cp);
            }
            ctx.status(204);
        });
        app.put(prefix + "training_runs/{run}/checkpoints/<ckpt>/ttl", ctx -> {
            Checkpoint cp = ownedCheckpoint(ctx);
            CheckpointTtlRequest req = read(ctx, CheckpointTtlRequest.class);
            if (req.ttlSeconds() != null && req.ttlSeconds() <= 0) {
                throw ServiceException.badRequest("ttl_seconds must be positive, or null to remove the expiry");
            }
            service.storage().checkpoints().setExpiresAt(cp.tinkerPath(),
                    req.ttlSeconds() == null ? null : Instant.now().plusSeconds(req.ttlSeconds()));
            ctx.status(204);
        });
        // The bare <ckpt> route comes after the routes with suffixes: <ckpt> matches across slashes.
        app.delete(prefix + "training_runs/{run}/checkpoints/<ckpt>", ctx -> {
            Checkpoint cp = ownedCheckpoint(ctx);
            service.storage().usage().meterStorage(Instant.now(), cp.tinkerPath());
            if (service.checkpoints().delete(cp.tinkerPath()).isPresent()) {
                audit(ctx, AuditEvent.CHECKPOINT_DELETED, cp);
            }
            ctx.status(204);
        });
        app.get(prefix + "training_runs/{run}/checkpoints/<ckpt>/archive", ctx -> {
            Checkpoint cp = readableCheckpoint(ctx);
            Instant expires = Instant.now().plus(ARCHIVE_LINK_LIFETIME);
            String url = ctx.scheme() + "://" + ctx.host() + prefix + "archives/" + archiveLinks.token(cp.tinkerPath(), expires);
            json(ctx, new dev.luthier.api.rest.ArchiveUrlResponse(url, expires));
        });
        app.get(prefix + "archives/{token}", ctx -> {
            String path = archiveLinks.verify(ctx.pathParam("token"), Instant.now())
                    .orElseThrow(() -> new ServiceException(403, "the archive link is invalid or has expired"));
            Checkpoint cp = service.checkpoints().find(path).orElseThrow(() -> ServiceException.notFound("checkpoint " + path));
            String name = cp.name() + ".tar.gz";
            ctx.status(200).contentType("application/gzip").header("Content-Disposition", "attachment; filename=\"" + name + "\"");
            dev.luthier.server.checkpoints.CheckpointArchive.write(Path.of(cp.storagePath()), cp.name(), ctx.outputStream());
        });
        app.post(prefix + "weights_info", ctx -> {
            WeightsInfoRequest req = read(ctx, WeightsInfoRequest.class);
            Checkpoint cp = visibleCheckpoint(ctx, TinkerPath.parse(req.tinkerPath()));
            Path dir = Path.of(cp.storagePath());
            if (cp.kind() == CheckpointKind.WEIGHTS) {
                TrainingStateFiles.Info info = TrainingStateFiles.info(dir);
                json(ctx, new WeightsInfoResponse(info.baseModel(), true, info.lora().rank(), info.lora().trainUnembed(),
                        info.lora().trainMlp(), info.lora().trainAttn()));
            } else {
                var peft = dev.luthier.engine.lora.PeftAdapterFiles.read(dir);
                json(ctx, new WeightsInfoResponse(peft.baseModelNameOrPath(), true, peft.rank(),
                        peft.targetModules().contains("lm_head"),
                        peft.targetModules().stream().anyMatch(m -> m.equals("gate_proj") || m.equals("up_proj") || m.equals("down_proj")),
                        peft.targetModules().stream().anyMatch(m -> m.endsWith("_proj") && "qkvo".indexOf(m.charAt(0)) >= 0)));
            }
        });
        app.get(prefix + "sessions", ctx -> json(ctx, new SessionsResponse(service.storage().sessions()
                .list(owner(ctx), page(ctx, 20)).items().stream().map(s -> s.id()).toList())));
        app.get(prefix + "sessions/{id}", ctx -> {
            var session = service.storage().sessions().get(ctx.pathParam("id"))
                    .filter(s -> owns(ctx, s.id()))
                    .orElseThrow(() -> ServiceException.notFound("session " + ctx.pathParam("id")));
            json(ctx, new SessionResponse(service.storage().runs().listIdsBySession(session.id()),
                    service.storage().samplers().listIdsBySession(session.id())));
        });
        app.get(prefix + "sessions/{id}/trace_export", ctx -> {
            service.storage().sessions().get(ctx.pathParam("id")).filter(s -> owns(ctx, s.id()))
                    .orElseThrow(() -> ServiceException.notFound("session " + ctx.pathParam("id")));
            // The client polls until the status is final; this server keeps no traces, so it says so at once.
            json(ctx, new dev.luthier.api.rest.TraceExportResponse("failed", null,
                    "trace export is not supported by this server"));
        });
        app.put(prefix + "sessions/{id}/project", ctx -> {
            var req = read(ctx, dev.luthier.api.rest.SetProjectRequest.class);
            service.storage().sessions().get(ctx.pathParam("id")).filter(s -> owns(ctx, s.id()))
                    .orElseThrow(() -> ServiceException.notFound("session " + ctx.pathParam("id")));
            service.storage().sessions().setProject(ctx.pathParam("id"), req.projectId());
            ctx.status(204);
        });
    }

    private static Owner owner(Context ctx) {
        Principal p = principal(ctx);
        return p.unrestricted() ? Owner.anyone() : Owner.tenant(p.tenantId());
    }

    /** Whether a session is the caller's. */
    private boolean owns(Context ctx, String sessionId) {
        return service.ownership().ownsSession(principal(ctx), sessionId);
    }

    private void audit(Context ctx, String event, Checkpoint cp) {
        Principal p = principal(ctx);
        service.audit().checkpoint(p.accountTenant(), p.apiKeyId(), event, cp.trainingRunId(), cp.tinkerPath());
    }

    private static PageRequest page(Context ctx, int defaultLimit) {
        int limit = intParam(ctx, "limit", defaultLimit);
        int offset = intParam(ctx, "offset", 0);
        if (limit < 1 || offset < 0) {
            throw ServiceException.badRequest("limit must be positive and offset non-negative");
        }
        return PageRequest.of(offset, Math.min(limit, PageRequest.MAX_LIMIT));
    }

    private static int intParam(Context ctx, String name, int fallback) {
        String v = ctx.queryParam(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw ServiceException.badRequest(name + " must be an integer, got \"" + v + "\"");
        }
    }

    private static Cursor cursor(Page<?> page) {
        return new Cursor(page.offset(), page.limit(), page.totalCount());
    }

    private TrainingRun ownedRun(Context ctx, String runId) {
        return service.storage().runs().get(runId).filter(r -> service.ownership().ownsScope(principal(ctx), r.modelId()))
                .orElseThrow(() -> ServiceException.notFound("training run " + runId));
    }

    private Checkpoint ownedCheckpoint(Context ctx) {
        TrainingRun run = ownedRun(ctx, ctx.pathParam("run"));
        TinkerPath path = TinkerPath.ofCheckpointId(run.modelId(), ctx.pathParam("ckpt"));
        return service.checkpoints().find(path.toString())
                .orElseThrow(() -> ServiceException.notFound("checkpoint " + path));
    }

    /** A checkpoint the caller owns, or one that is public. */
    private Checkpoint visibleCheckpoint(Context ctx, TinkerPath path) {
        return service.readableCheckpoint(path.toString(), principal(ctx))
                .orElseThrow(() -> ServiceException.notFound("checkpoint " + path));
    }

    /** The route's checkpoint when the caller owns it or it is public (reading it, not changing it). */
    private Checkpoint readableCheckpoint(Context ctx) {
        String runId = ctx.pathParam("run");
        TinkerPath path = TinkerPath.ofCheckpointId(runId, ctx.pathParam("ckpt"));
        return visibleCheckpoint(ctx, path);
    }

    private dev.luthier.api.rest.TrainingRun wireRun(TrainingRun r) {
        var last = service.storage().checkpoints().latest(r.modelId(), CheckpointKind.WEIGHTS).map(RestRoutes::wireCheckpoint).orElse(null);
        var lastSampler = service.storage().checkpoints().latest(r.modelId(), CheckpointKind.SAMPLER_WEIGHTS).map(RestRoutes::wireCheckpoint).orElse(null);
        Map<String, String> metadata = null;
        if (r.userMetadata() != null) {
            metadata = new java.util.LinkedHashMap<>();
            for (var e : r.userMetadata().entrySet()) {
                metadata.put(e.getKey(), String.valueOf(e.getValue()));
            }
        }
        return new dev.luthier.api.rest.TrainingRun(r.modelId(), r.baseModel(), r.apiKeyId() == null ? "local" : r.apiKeyId(),
                r.lora().isLora(), false, r.lora().rank(), r.lastRequestAt(), last, lastSampler, metadata);
    }

    static dev.luthier.api.rest.Checkpoint wireCheckpoint(Checkpoint c) {
        return new dev.luthier.api.rest.Checkpoint(c.checkpointId(), c.kind(), c.createdAt(), c.tinkerPath(), c.sizeBytes(),
                c.isPublic(), c.expiresAt());
    }
}
