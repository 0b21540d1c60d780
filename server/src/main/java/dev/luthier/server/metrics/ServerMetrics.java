package dev.luthier.server.metrics;

import com.zaxxer.hikari.HikariDataSource;
import dev.luthier.server.models.ModelManager;
import dev.luthier.server.models.ModelWorker;
import dev.luthier.server.service.LuthierService;
import dev.luthier.server.storage.db.Database;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code GET /metrics} in Prometheus' text format: requests pending and training runs waiting per tenant, sampling
 * requests in flight per tenant, training passes and their tokens (pass size = tokens / passes), tokens per kind
 * (tokens/s = rate), futures pending, base models and adapters loaded, and the database pool (HikariCP's own meters).
 */
public final class ServerMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final LuthierService service;
    private final ModelManager models;
    private final MultiGauge pending;
    private final MultiGauge waitingRuns;
    private final MultiGauge samplesInFlight;
    private final Counter passes;
    private final Counter passTokens;
    /** What each worker had counted at the last scrape; a reloaded model starts a new worker from zero. */
    private final Map<ModelWorker, long[]> seen = new ConcurrentHashMap<>();

    public ServerMetrics(LuthierService service, ModelManager models, Database db) {
        this.service = service;
        this.models = models;
        if (db.dataSource() instanceof HikariDataSource pool) {
            pool.setMetricRegistry(registry);
        }
        pending = MultiGauge.builder("luthier_requests_pending").description("requests submitted and not finished, per tenant")
                .register(registry);
        waitingRuns = MultiGauge.builder("luthier_training_runs_waiting")
                .description("training runs waiting for a slot of their tenant's quota").register(registry);
        samplesInFlight = MultiGauge.builder("luthier_sampling_requests_in_flight").description("sampling requests in flight, per tenant")
                .register(registry);
        Gauge.builder("luthier_futures_pending", service.futures(), f -> f.pendingCount()).description("futures not finished")
                .register(registry);
        Gauge.builder("luthier_adapters_loaded", service, LuthierService::adaptersLoaded)
                .description("LoRA adapters in memory (training runs and sampling sessions)").register(registry);
        Gauge.builder("luthier_base_models_loaded", models, m -> m.registry().names().stream()
                .filter(n -> m.loadedWorker(n).isPresent()).count()).description("base models loaded").register(registry);
        passes = Counter.builder("luthier_training_passes").description("packed forward/backward passes run").register(registry);
        passTokens = Counter.builder("luthier_training_pass_tokens").description("tokens carried by those passes").register(registry);
        service.usageMeter().observe((kind, n) -> registry.counter("luthier_tokens", Tags.of("kind", kind.dbName())).increment(n));
    }

    /** The current values, in Prometheus' text exposition format. */
    public synchronized String scrape() {
        pending.register(rows(service.pendingByTenant()), true);
        waitingRuns.register(rows(service.parkedRunsByTenant()), true);
        samplesInFlight.register(rows(service.samplesInFlightByTenant()), true);
        for (String name : models.registry().names()) {
            models.loadedWorker(name).ifPresent(w -> {
                long[] last = seen.computeIfAbsent(w, x -> new long[2]);
                long p = w.passesRun();
                long t = w.tokensPassed();
                passes.increment(p - last[0]);
                passTokens.increment(t - last[1]);
                last[0] = p;
                last[1] = t;
            });
        }
        seen.keySet().removeIf(w -> models.loadedWorker(w.baseModel()).map(l -> l != w).orElse(true));
        return registry.scrape();
    }

    private static List<MultiGauge.Row<?>> rows(Map<String, Integer> perTenant) {
        List<MultiGauge.Row<?>> out = new ArrayList<>();
        perTenant.forEach((tenant, n) -> out.add(MultiGauge.Row.of(Tags.of("tenant", tenant), n)));
        return out;
    }
}
