package dev.luthier.server;

import dev.luthier.engine.kernels.cpu.CpuKernels;
import dev.luthier.server.checkpoints.CheckpointStore;
import dev.luthier.server.futures.FutureStore;
import dev.luthier.server.http.ApiKeyAuth;
import dev.luthier.server.http.ApiServer;
import dev.luthier.server.models.BaseModelRegistry;
import dev.luthier.server.models.ModelManager;
import dev.luthier.server.service.LuthierService;
import dev.luthier.server.storage.Storage;
import dev.luthier.server.storage.checkpoints.Checkpoint;
import dev.luthier.server.storage.db.DatabaseSettings;
import dev.luthier.server.storage.audit.AuditEvent;
import dev.luthier.server.storage.tenants.Tenant;
import dev.luthier.server.tenants.TenantAdmin;

import java.nio.file.Files;
import dev.luthier.server.metrics.ServerMetrics;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A running Luthier server: storage (recovered after a restart), base models, the service, the HTTP API and a
 * maintenance task (expired futures and checkpoints, idle models).
 */
public final class LuthierServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LuthierServer.class.getName());

    private final Storage storage;
    private final LuthierService service;
    private final ApiServer api;
    private final ApiKeyAuth auth;
    private final FutureStore futures;
    private final ScheduledExecutorService maintenance;
    private final Storage.Recovery recovery;
    private final TenantAdmin tenantAdmin;
    private final ServerMetrics metrics;
    private volatile boolean closed;

    private LuthierServer(ServerConfig config) throws Exception {
        Clock clock = Clock.systemUTC();
        Files.createDirectories(config.dataDir());
        storage = Storage.open(DatabaseSettings.of(config.databaseUrl(), config.dataDir()));
        recovery = storage.recoverAfterRestart(clock.instant());
        tenantAdmin = new TenantAdmin(storage, clock);
        for (String key : config.bootstrapKeys()) {
            tenantAdmin.bootstrapKey(key);
        }
        BaseModelRegistry registry = new BaseModelRegistry(BaseModelRegistry.defaultHuggingFaceHome());
        config.models().forEach(registry::register);
        futures = new FutureStore(clock, config.futureRetention());
        CheckpointStore checkpoints = new CheckpointStore(config.dataDir().resolve("checkpoints"), storage.checkpoints());
        ModelManager models = new ModelManager(registry, () -> new CpuKernels(config.threads()), futures, checkpoints,
                config.workerOptions(), clock);
        service = new LuthierService(storage, models, futures, checkpoints, clock);
        auth = new ApiKeyAuth(storage.apiKeys(), clock);
        metrics = new ServerMetrics(service, models, storage.database());
        api = new ApiServer(service, auth, dev.luthier.server.checkpoints.ArchiveLinks.fromDataDir(config.dataDir()),
                config.longPoll(), config.maxBodyBytes(), tenantAdmin, config.prices(), metrics).start(config.host(), config.port());
        maintenance = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon(true).name("maintenance").unstarted(r));
        maintenance.scheduleWithFixedDelay(() -> maintain(config, models, checkpoints), 30, 30, TimeUnit.SECONDS);
    }

    public static LuthierServer start(ServerConfig config) throws Exception {
        return new LuthierServer(config);
    }

    private void maintain(ServerConfig config, ModelManager models, CheckpointStore checkpoints) {
        try {
            Instant now = Instant.now();
            futures.evictExpired();
            service.pruneSampleDedupe();
            storage.futures().expireCompletedBefore(now.minus(config.futureRetention()));
            for (Checkpoint cp : storage.checkpoints().listExpired(now, 100)) {
                storage.usage().meterStorage(now, cp.tinkerPath());
                if (checkpoints.delete(cp.tinkerPath()).isPresent()) {
                    service.audit().checkpoint(service.ownership().tenantOfScope(cp.trainingRunId()).orElse(Tenant.LOCAL), null,
                            AuditEvent.CHECKPOINT_EXPIRED, cp.trainingRunId(), cp.tinkerPath());
                }
            }
            storage.usage().meterStorage(now, null);
            service.admitParked();
            models.unloadIdle(config.idleUnload(), name -> service.hasWork(name));
        } catch (Exception e) {
            LOG.log(Level.WARNING, "maintenance failed", e);
        }
    }

    public int port() {
        return api.port();
    }

    public boolean openAuth() {
        return auth.open();
    }

    public Storage.Recovery recovery() {
        return recovery;
    }

    public TenantAdmin tenantAdmin() {
        return tenantAdmin;
    }

    public Storage storage() {
        return storage;
    }

    public LuthierService service() {
        return service;
    }

    /** Stops at once: requests still in flight fail with a message (kept for polls after a restart). */
    @Override
    public void close() {
        close(Duration.ZERO);
    }

    /**
     * Stops gracefully: new work is refused (503, which the SDK retries), work in flight gets up to {@code grace} to
     * finish, what is left fails with a message, then the API, the models and the database close.
     */
    public void close(Duration grace) {
        if (closed) {
            return;
        }
        closed = true;
        maintenance.shutdownNow();
        service.beginShutdown();
        try {
            int left = service.drain(grace);
            if (left > 0) {
                LOG.info("shutting down with " + left + " requests unfinished; they fail with a message");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        service.failUnfinished();
        api.close();
        service.close();
        storage.close();
    }
}
