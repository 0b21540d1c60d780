package dev.luthier.server.storage;

import dev.luthier.server.storage.audit.AuditEvent;
import dev.luthier.server.storage.audit.AuditRepository;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

public interface AuditRepositoryContract extends StorageFixture {
    @Test
    default void auditLogIsPerTenantInTimeOrderAndFiltersCheckpointEvents() {
        AuditRepository audit = new AuditRepository(db());
        audit.append(new AuditEvent("e3", "t", "k", at(30), AuditEvent.KEY_CREATED, null, null, "k-2"));
        audit.append(new AuditEvent("e1", "t", "k", at(10), AuditEvent.CHECKPOINT_SAVED, "r", "tinker://r/weights/a", null));
        audit.append(new AuditEvent("e2", "t", "k", at(20), AuditEvent.CHECKPOINT_DELETED, "r", "tinker://r/weights/a", null));
        audit.append(new AuditEvent("e4", "other", "k9", at(15), AuditEvent.CHECKPOINT_SAVED, "q", "tinker://q/weights/b", null));

        assertThat(audit.list("t", at(0), at(100), false)).extracting(AuditEvent::id).containsExactly("e1", "e2", "e3");
        assertThat(audit.list("t", at(0), at(100), true)).extracting(AuditEvent::id).containsExactly("e1", "e2");
        assertThat(audit.list("t", at(11), at(30), false)).extracting(AuditEvent::id).containsExactly("e2");
        assertThat(audit.list("other", at(0), at(100), false)).singleElement().extracting(AuditEvent::tinkerPath)
                .isEqualTo("tinker://q/weights/b");
    }
}
