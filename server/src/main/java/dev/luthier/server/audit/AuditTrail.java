package dev.luthier.server.audit;

import dev.luthier.server.storage.audit.AuditEvent;
import dev.luthier.server.storage.audit.AuditRepository;

import java.time.Clock;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Appends checkpoint and key events to the audit log; a failed write is logged, never thrown at the caller. */
public final class AuditTrail {
    private static final Logger LOG = Logger.getLogger(AuditTrail.class.getName());
    private final AuditRepository repository;
    private final Clock clock;

    public AuditTrail(AuditRepository repository, Clock clock) {
        this.repository = repository;
        this.clock = clock;
    }

    /** Records a checkpoint event ({@link AuditEvent#CHECKPOINT_SAVED}, ...). */
    public void checkpoint(String tenantId, String apiKeyId, String event, String modelId, String tinkerPath) {
        append(new AuditEvent(UUID.randomUUID().toString(), tenantId, apiKeyId, clock.instant(), event, modelId, tinkerPath,
                null));
    }

    private void append(AuditEvent e) {
        try {
            repository.append(e);
        } catch (RuntimeException ex) {
            LOG.log(Level.WARNING, "could not write audit event " + e.event() + " " + e.tinkerPath(), ex);
        }
    }
}
