package dev.luthier.server.storage;

import dev.luthier.server.storage.db.StorageException;
import dev.luthier.server.storage.ids.TinkerIds;
import dev.luthier.server.storage.samplers.SamplingSession;
import dev.luthier.server.storage.samplers.SamplingSessionRepository;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

public interface SamplingSessionRepositoryContract extends StorageFixture {
    private SamplingSessionRepository samplers() {
        return new SamplingSessionRepository(db());
    }

    @Test
    default void samplingSessionIsCreatedAndReadBack() {
        Fixtures.session(db(), "s", null, at(0));
        SamplingSession base = new SamplingSession("s:sample:0", "s", 0, "Qwen/Qwen3-0.6B", null, at(1));
        SamplingSession tuned = new SamplingSession("s:sample:1", "s", 1, "Qwen/Qwen3-0.6B",
                "tinker://s:train:0/sampler_weights/000080", at(2));
        samplers().create(base);
        samplers().create(tuned);

        assertThat(samplers().get("s:sample:0")).contains(base);
        assertThat(samplers().get("s:sample:1")).contains(tuned);
        assertThat(samplers().get("s:sample:2")).isEmpty();
    }

    @Test
    default void samplingSessionIdsOfASessionComeInSeqOrder() {
        Fixtures.session(db(), "s", null, at(0));
        for (int n : new int[]{10, 2, 0, 1}) {
            samplers().create(new SamplingSession(TinkerIds.samplingSession("s", n), "s", n, "m", null, at(0)));
        }

        assertThat(samplers().listIdsBySession("s")).containsExactly("s:sample:0", "s:sample:1", "s:sample:2",
                "s:sample:10");
    }

    @Test
    default void samplingSessionNeedsItsSessionAndAFreeSeqId() {
        assertThatThrownBy(() -> samplers().create(new SamplingSession("x:sample:0", "x", 0, "m", null, at(0))))
                .isInstanceOf(StorageException.class);
        Fixtures.session(db(), "s", null, at(0));
        samplers().create(new SamplingSession("s:sample:0", "s", 0, "m", null, at(0)));
        assertThatThrownBy(() -> samplers().create(new SamplingSession("s:sample:0b", "s", 0, "m", null, at(0))))
                .isInstanceOf(StorageException.class);
    }
}
