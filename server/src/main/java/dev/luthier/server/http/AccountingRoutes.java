package dev.luthier.server.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.luthier.api.rest.AuditLogEntry;
import dev.luthier.api.rest.AuditLogResponse;
import dev.luthier.api.rest.BillingUsageEvent;
import dev.luthier.api.rest.UsageEventInfo;
import dev.luthier.api.rest.UsageEventsResponse;
import dev.luthier.server.service.LuthierService;
import dev.luthier.server.service.ServiceException;
import dev.luthier.server.storage.audit.AuditEvent;
import dev.luthier.server.storage.sessions.Session;
import dev.luthier.server.storage.tenants.Tenant;
import dev.luthier.server.storage.usage.UsageBucket;
import dev.luthier.server.storage.usage.UsageKind;
import dev.luthier.server.tenants.Principal;
import dev.luthier.server.usage.Prices;
import io.javalin.Javalin;
import io.javalin.http.Context;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static dev.luthier.server.http.ApiServer.json;
import static dev.luthier.server.http.ApiServer.principal;
import static dev.luthier.server.http.ApiServer.read;

/**
 * Usage, cost and the audit log of the caller's tenant (§8): {@code GET /billing/usage/events},
 * {@code POST /billing/estimate} and {@code GET /audit}.
 */
final class AccountingRoutes {
    private final LuthierService service;
    private final Prices prices;

    AccountingRoutes(LuthierService service, Prices prices) {
        this.service = service;
        this.prices = prices;
    }

    /** {@code POST /billing/estimate}: the price of a batch before it runs. */
    record EstimateRequest(@JsonProperty(value = "base_model", required = true) String baseModel,
                           @JsonProperty(value = "kind", required = true) String kind,
                           @JsonProperty(value = "token_count", required = true) long tokenCount) {
    }

    record EstimateResponse(@JsonProperty("base_model") String baseModel, @JsonProperty("kind") String kind,
                            @JsonProperty("token_count") long tokenCount,
                            @JsonProperty("price_per_million_tokens") BigDecimal pricePerMillion,
                            @JsonProperty("cost") BigDecimal cost) {
    }

    void register(Javalin app, String prefix) {
        app.get(prefix + "billing/usage/events", this::usageEvents);
        // Usage of one training run (or sampling session), in the same shape; another tenant's answers 404.
        app.get(prefix + "training_runs/{run}/usage", ctx -> {
            String run = ctx.pathParam("run");
            if (!service.ownership().ownsScope(principal(ctx), run) || service.storage().runs().get(run).isEmpty()) {
                throw ServiceException.notFound("training run " + run);
            }
            service.awaitAccounting();
            json(ctx, events(service.storage().usage().listBySubject(run)));
        });
        app.post(prefix + "billing/estimate", ctx -> {
            EstimateRequest req = read(ctx, EstimateRequest.class);
            if (req.tokenCount() < 0) {
                throw ServiceException.badRequest("token_count must not be negative, got " + req.tokenCount());
            }
            UsageKind kind = Prices.kind(req.kind(), "kind");
            BigDecimal perMillion = prices.perMillion(req.baseModel(), kind).orElseThrow(() -> ServiceException.badRequest(
                    "no " + req.kind() + " price is set for " + req.baseModel() + " (serve with --prices FILE)"));
            json(ctx, new EstimateResponse(req.baseModel(), req.kind(), req.tokenCount(), perMillion,
                    prices.cost(req.baseModel(), kind, req.tokenCount()).orElseThrow()));
        });
        app.get(prefix + "audit", ctx -> {
            String type = ctx.queryParam("event_type");
            if (type != null && !type.equals("all") && !type.equals("checkpoints")) {
                throw ServiceException.badRequest("event_type must be all or checkpoints, got " + type);
            }
            Instant from = Instant.EPOCH;
            Instant to = Instant.now().plusSeconds(86_400);
            String day = ctx.queryParam("day");
            if (day != null && !day.isBlank()) {
                try {
                    from = LocalDate.parse(day).atStartOfDay(ZoneOffset.UTC).toInstant();
                } catch (DateTimeParseException e) {
                    throw ServiceException.badRequest("day must be YYYY-MM-DD, got " + day);
                }
                to = from.plusSeconds(86_400);
            }
            service.awaitAccounting();
            List<AuditLogEntry> entries = new ArrayList<>();
            for (AuditEvent e : service.storage().audit().list(principal(ctx).accountTenant(), from, to, "checkpoints".equals(type))) {
                entries.add(new AuditLogEntry(e.at(), e.event(), e.modelId(), e.tinkerPath(), e.purpose()));
            }
            json(ctx, new AuditLogResponse(entries));
        });
    }

    /** One event per hour, session, base model and kind; runs of one session add up (the wire event has no run). */
    private void usageEvents(Context ctx) {
        Principal p = principal(ctx);
        Instant from = instantParam(ctx, "starting_on", null);
        Instant to = instantParam(ctx, "ending_before", null);
        if (from != null && to != null && !from.isBefore(to)) {
            throw ServiceException.badRequest("starting_on must be before ending_before");
        }
        service.awaitAccounting();
        json(ctx, events(service.storage().usage().list(p.unrestricted() ? null : p.tenantId(), from, to)));
    }

    private UsageEventsResponse events(List<UsageBucket> buckets) {
        record Key(Instant start, String tenant, String session, String baseModel, UsageKind kind) {
        }
        Map<Key, long[]> counts = new LinkedHashMap<>();
        Map<Key, double[]> gigabyteHours = new LinkedHashMap<>();
        for (UsageBucket b : buckets) {
            Key k = new Key(b.bucketStart(), b.tenantId(), b.sessionId(), b.baseModel(), b.kind());
            counts.computeIfAbsent(k, x -> new long[1])[0] += b.quantity();
            gigabyteHours.computeIfAbsent(k, x -> new double[1])[0] += b.gigabyteHours();
            if (b.kind() == UsageKind.SAMPLING_PREFILL) {
                // Prefix-cache hits are reported beside every prefill, 0 while there is no prefix cache.
                counts.computeIfAbsent(new Key(b.bucketStart(), b.tenantId(), b.sessionId(), b.baseModel(),
                        UsageKind.SAMPLING_PREFILL_CACHED), x -> new long[1]);
            }
        }
        Map<String, String> tenantNames = new TreeMap<>();
        Map<String, Session> sessions = new LinkedHashMap<>();
        List<BillingUsageEvent> events = new ArrayList<>();
        for (var e : counts.entrySet()) {
            Key k = e.getKey();
            String userName = tenantNames.computeIfAbsent(k.tenant(),
                    t -> service.storage().tenants().get(t).map(Tenant::name).orElse(t));
            Session session = sessions.computeIfAbsent(k.session(), id -> service.storage().sessions().get(id).orElse(null));
            long n = e.getValue()[0];
            UsageEventInfo info = switch (k.kind()) {
                case TRAINING -> new UsageEventInfo.Training(n);
                case SAMPLING_PREFILL -> new UsageEventInfo.SamplingPrefill(false, n);
                case SAMPLING_PREFILL_CACHED -> new UsageEventInfo.SamplingPrefill(true, n);
                case SAMPLING_SAMPLE -> new UsageEventInfo.SamplingSample(n);
                case CHECKPOINT -> new UsageEventInfo.Checkpoint(n);
                case STORAGE -> new UsageEventInfo.Storage(gigabyteHours.getOrDefault(k, new double[1])[0]);
            };
            events.add(new BillingUsageEvent(k.start(), k.start().plus(UsageBucket.LENGTH), k.baseModel(), k.tenant(),
                    userName, k.session(), session == null ? null : session.projectId(), info));
        }
        Map<String, UsageEventsResponse.SessionUsage> sessionInfo = new LinkedHashMap<>();
        sessions.forEach((id, s) -> sessionInfo.put(id, new UsageEventsResponse.SessionUsage(
                s == null || s.userMetadata() == null ? null : stringMap(s.userMetadata()))));
        return new UsageEventsResponse(events, sessionInfo);
    }

    private static Map<String, String> stringMap(Map<String, Object> m) {
        Map<String, String> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, String.valueOf(v)));
        return out;
    }

    private static Instant instantParam(Context ctx, String name, Instant fallback) {
        String v = ctx.queryParam(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            return OffsetDateTime.parse(v).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return LocalDate.parse(v).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (DateTimeParseException e2) {
                throw ServiceException.badRequest(name + " must be an RFC 3339 time (2026-03-01T12:00:00Z), got " + v);
            }
        }
    }
}
