package dev.luthier.server.storage;

import dev.luthier.server.storage.checkpoints.CheckpointRepository;
import dev.luthier.server.storage.db.Database;
import dev.luthier.server.storage.db.DatabaseSettings;
import dev.luthier.server.storage.dedupe.SeqDedupeRepository;
import dev.luthier.server.storage.futures.FutureResultRepository;
import dev.luthier.server.storage.keys.ApiKeyRepository;
import dev.luthier.server.storage.runs.RunState;
import dev.luthier.server.storage.runs.TrainingRunRepository;
import dev.luthier.server.storage.samplers.SamplingSessionRepository;
import dev.luthier.server.storage.sessions.SessionRepository;
import dev.luthier.server.storage.audit.AuditRepository;
import dev.luthier.server.storage.tenants.TenantRepository;
import dev.luthier.server.storage.usage.UsageRepository;

import java.time.Instant;

/**
 * The server's metadata store: one {@link Database} and a repository per table. Open it once at startup, call
 * {@link #recoverAfterRestart} before accepting requests, and close it at shutdown.
 */
public final class Storage implements AutoCloseable {
    /** The state message given to runs whose weights were lost with the previous process. */
    public static final String RUN_LOST_AT_RESTART =
            "the server restarted and this run's weights in memory were lost; load it from a checkpoint";

    private final Database db;
    private final SessionRepository sessions;
    private final TrainingRunRepository runs;
    private final SamplingSessionRepository samplers;
    private final CheckpointRepository checkpoints;
    private final FutureResultRepository futures;
    private final ApiKeyRepository apiKeys;
    private final SeqDedupeRepository dedupe;
    private final TenantRepository tenants;
    private final UsageRepository usage;
    private final AuditRepository audit;

    public Storage(Database db) {
        this.db = db;
        this.sessions = new SessionRepository(db);
        this.runs = new TrainingRunRepository(db);
        this.samplers = new SamplingSessionRepository(db);
        this.checkpoints = new CheckpointRepository(db);
        this.futures = new FutureResultRepository(db);
        this.apiKeys = new ApiKeyRepository(db);
        this.dedupe = new SeqDedupeRepository(db);
        this.tenants = new TenantRepository(db);
        this.usage = new UsageRepository(db);
        this.audit = new AuditRepository(db);
    }

    /** Opens (and migrates) the database. */
    public static Storage open(DatabaseSettings settings) {
        return new Storage(Database.open(settings));
    }

    /** What {@link #recoverAfterRestart} changed. */
    public record Recovery(int futuresFailed, int runsUnloaded) {
    }

    /**
     * Settles what the previous process left unfinished: its pending futures fail with a message (so clients
     * polling them get an answer instead of waiting for ever) and its active runs become unloaded. Only for a
     * single server; with several API nodes sharing PostgreSQL this must be scoped to the node that died.
     */
    public Recovery recoverAfterRestart(Instant now) {
        return db.write(c -> new Recovery(
                futures.failAllPending(FutureResultRepository.LOST_AT_RESTART, now),
                runs.changeAllStates(RunState.ACTIVE, RunState.UNLOADED, RUN_LOST_AT_RESTART)));
    }

    public Database database() {
        return db;
    }

    public SessionRepository sessions() {
        return sessions;
    }

    public TrainingRunRepository runs() {
        return runs;
    }

    public SamplingSessionRepository samplers() {
        return samplers;
    }

    public CheckpointRepository checkpoints() {
        return checkpoints;
    }

    public FutureResultRepository futures() {
        return futures;
    }

    public ApiKeyRepository apiKeys() {
        return apiKeys;
    }

    public SeqDedupeRepository dedupe() {
        return dedupe;
    }

    public TenantRepository tenants() {
        return tenants;
    }

    public UsageRepository usage() {
        return usage;
    }

    public AuditRepository audit() {
        return audit;
    }

    @Override
    public void close() {
        db.close();
    }
}
