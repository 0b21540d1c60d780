package dev.luthier.server.storage;

import dev.luthier.api.ids.CheckpointKind;
import dev.luthier.api.ids.TinkerPath;
import dev.luthier.server.storage.checkpoints.Checkpoint;
import dev.luthier.server.storage.checkpoints.CheckpointRepository;
import dev.luthier.server.storage.keys.ApiKey;
import dev.luthier.server.storage.keys.ApiKeyRepository;
import dev.luthier.server.storage.keys.KeyHash;
import dev.luthier.server.storage.runs.TrainingRun;
import dev.luthier.server.storage.sessions.Session;
import dev.luthier.server.storage.tenants.Tenant;
import dev.luthier.server.storage.tenants.TenantRepository;
import dev.luthier.server.storage.usage.UsageBucket;
import dev.luthier.server.storage.usage.UsageKind;
import dev.luthier.server.storage.usage.UsageRepository;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

public interface UsageRepositoryContract extends StorageFixture {
    private UsageRepository usage() {
        return new UsageRepository(db());
    }

    @Test
    default void usageAddsUpWithinAnHourAndSplitsAcrossHours() {
        // T0 is 12:00:00; 59 minutes later is the same bucket, 60 minutes later the next.
        usage().add(UsageBucket.count(at(0), "t", "s", "s:train:0", "m", UsageKind.TRAINING, 100));
        usage().add(UsageBucket.count(at(59 * 60_000), "t", "s", "s:train:0", "m", UsageKind.TRAINING, 23));
        usage().add(UsageBucket.count(at(60 * 60_000), "t", "s", "s:train:0", "m", UsageKind.TRAINING, 7));
        usage().add(UsageBucket.count(at(5), "t", "s", "s:train:0", "m", UsageKind.CHECKPOINT, 1));
        usage().add(UsageBucket.count(at(5), "u", "s2", "s2:sample:0", "m", UsageKind.SAMPLING_SAMPLE, 9));

        List<UsageBucket> t = usage().list("t", null, null);
        assertThat(t).extracting(UsageBucket::bucketStart, UsageBucket::kind, UsageBucket::quantity).containsExactly(
                org.assertj.core.groups.Tuple.tuple(T0, UsageKind.CHECKPOINT, 1L),
                org.assertj.core.groups.Tuple.tuple(T0, UsageKind.TRAINING, 123L),
                org.assertj.core.groups.Tuple.tuple(Instant.parse("2026-03-01T13:00:00Z"), UsageKind.TRAINING, 7L));
        assertThat(usage().list(null, null, null)).hasSize(4);
        assertThat(usage().list("t", Instant.parse("2026-03-01T13:00:00Z"), null)).hasSize(1);
        assertThat(usage().list("t", null, Instant.parse("2026-03-01T13:00:00Z"))).hasSize(2);
    }

    @Test
    default void usageAdditionsFromManyThreadsAreNeverLost() throws Exception {
        int threads = 6;
        int each = 50;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                done.add(pool.submit(() -> {
                    for (int j = 0; j < each; j++) {
                        usage().add(UsageBucket.count(at(j), "t", "s", "r", "m", UsageKind.SAMPLING_PREFILL, 3));
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        assertThat(usage().list("t", null, null)).singleElement()
                .extracting(UsageBucket::quantity).isEqualTo(3L * threads * each);
    }

    @Test
    default void storageIsMeteredInGigabyteHoursPerHourOnce() {
        new TenantRepository(db()).insert(Tenant.created("t", "acme", at(0)));
        new ApiKeyRepository(db()).insert(ApiKey.issued("k", KeyHash.of("tml-k"), "k", at(0), "t", false));
        Session s = Fixtures.session(db(), "s", "k", at(0));
        TrainingRun run = Fixtures.run(db(), s, 0, at(0));
        // 2 GB saved at 12:30, metered at 14:15: 0.5 h at 12, 1 h at 13, 0.25 h at 14 => 1.0, 2.0, 0.5 GB-h.
        Checkpoint cp = Checkpoint.saved("c", new TinkerPath(run.modelId(), CheckpointKind.WEIGHTS, "w"), "/d",
                2_000_000_000L, at(30 * 60_000), null);
        new CheckpointRepository(db()).insert(cp);

        assertThat(usage().meterStorage(at(135 * 60_000), null)).isEqualTo(1);
        assertThat(usage().meterStorage(at(135 * 60_000), null)).isZero();
        assertThat(usage().meterStorage(at(165 * 60_000), cp.tinkerPath())).isEqualTo(1); // +0.5 h at 14 => 1.0 more

        List<UsageBucket> buckets = usage().list("t", null, null);
        assertThat(buckets).extracting(UsageBucket::kind).containsOnly(UsageKind.STORAGE);
        assertThat(buckets).extracting(UsageBucket::subjectId).containsOnly(run.modelId());
        assertThat(buckets).hasSize(3);
        assertThat(buckets.get(0).gigabyteHours()).isCloseTo(1.0, within(1e-12));
        assertThat(buckets.get(1).gigabyteHours()).isCloseTo(2.0, within(1e-12));
        assertThat(buckets.get(2).gigabyteHours()).isCloseTo(1.5, within(1e-12));
    }
}
