package dev.luthier.server.storage;

import dev.luthier.server.futures.FutureOutcome;
import dev.luthier.server.storage.futures.FutureResultRepository;
import dev.luthier.server.storage.futures.FutureState;
import dev.luthier.server.storage.futures.StoredFuture;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

public interface FutureResultRepositoryContract extends StorageFixture {
    private FutureResultRepository futures() {
        return new FutureResultRepository(db());
    }

    @Test
    default void futureIsPendingThenDoneWithItsBytes() {
        byte[] payload = new byte[70_000];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 31); // every byte value, including 0
        }
        assertThat(futures().insertPending("r-1", "ForwardBackward", "s:train:0", at(0))).isTrue();

        StoredFuture pending = futures().get("r-1").orElseThrow();
        assertThat(pending.state()).isEqualTo(FutureState.PENDING);
        assertThat(pending.result()).isNull();
        assertThat(pending.completedAt()).isNull();

        assertThat(futures().complete("r-1", "application/x-protobuf", payload, at(50))).isTrue();

        assertThat(futures().get("r-1")).contains(new StoredFuture("r-1", "ForwardBackward", "s:train:0",
                FutureState.DONE, "application/x-protobuf", payload, null, null, at(0), at(50)));
        assertThat(futures().get("r-2")).isEmpty();
    }

    @Test
    default void futureFailsWithMessageAndCategory() {
        futures().insertPending("r-1", "OptimStep", null, at(0));

        assertThat(futures().fail("r-1", "learning_rate must be positive", FutureOutcome.Category.USER, at(7))).isTrue();

        StoredFuture f = futures().get("r-1").orElseThrow();
        assertThat(f.state()).isEqualTo(FutureState.FAILED);
        assertThat(f.errorMessage()).isEqualTo("learning_rate must be positive");
        assertThat(f.errorCategory()).isEqualTo(FutureOutcome.Category.USER);
        assertThat(f.modelId()).isNull();
        assertThat(f.completedAt()).isEqualTo(at(7));
    }

    @Test
    default void futureKeepsItsFirstOutcomeAndItsFirstInsert() {
        byte[] first = "{\"metrics\":{}}".getBytes(StandardCharsets.UTF_8);
        assertThat(futures().insertPending("r-1", "OptimStep", "m", at(0))).isTrue();
        assertThat(futures().insertPending("r-1", "Sample", "x", at(1))).isFalse();
        assertThat(futures().complete("r-1", "application/json", first, at(2))).isTrue();

        assertThat(futures().complete("r-1", "application/json", new byte[]{1}, at(3))).isFalse();
        assertThat(futures().fail("r-1", "late", FutureOutcome.Category.SERVER, at(3))).isFalse();
        assertThat(futures().complete("unknown", "application/json", first, at(3))).isFalse();

        StoredFuture f = futures().get("r-1").orElseThrow();
        assertThat(f.operation()).isEqualTo("OptimStep");
        assertThat(f.result()).isEqualTo(first);
        assertThat(f.completedAt()).isEqualTo(at(2));
    }

    @Test
    default void futuresPendingAtRestartFailWithAMessageAndFinishedOnesSurvive() {
        futures().insertPending("done", "OptimStep", "m", at(0));
        futures().complete("done", "application/json", new byte[]{'{', '}'}, at(1));
        futures().insertPending("failed", "OptimStep", "m", at(0));
        futures().fail("failed", "bad input", FutureOutcome.Category.USER, at(1));
        futures().insertPending("p-1", "ForwardBackward", "m", at(2));
        futures().insertPending("p-2", "Sample", "x", at(3));

        reopen();
        int failed = futures().failAllPending(FutureResultRepository.LOST_AT_RESTART, at(100));

        assertThat(failed).isEqualTo(2);
        for (String id : new String[]{"p-1", "p-2"}) {
            StoredFuture f = futures().get(id).orElseThrow();
            assertThat(f.state()).isEqualTo(FutureState.FAILED);
            assertThat(f.errorCategory()).isEqualTo(FutureOutcome.Category.SERVER);
            assertThat(f.errorMessage()).contains("restarted");
            assertThat(f.completedAt()).isEqualTo(at(100));
        }
        assertThat(futures().get("done").orElseThrow().result()).isEqualTo(new byte[]{'{', '}'});
        assertThat(futures().get("failed").orElseThrow().errorMessage()).isEqualTo("bad input");
        assertThat(futures().count(FutureState.PENDING)).isZero();
        assertThat(futures().failAllPending(FutureResultRepository.LOST_AT_RESTART, at(200))).isZero();
    }

    @Test
    default void futuresFinishedLongAgoExpireToTombstonesThenGetDeleted() {
        futures().insertPending("old-done", "OptimStep", null, at(0));
        futures().complete("old-done", "application/json", new byte[]{1, 2}, at(10));
        futures().insertPending("old-failed", "OptimStep", null, at(0));
        futures().fail("old-failed", "x", FutureOutcome.Category.USER, at(20));
        futures().insertPending("recent", "OptimStep", null, at(0));
        futures().complete("recent", "application/json", new byte[]{3}, at(500));
        futures().insertPending("pending", "OptimStep", null, at(0));

        assertThat(futures().expireCompletedBefore(at(100))).isEqualTo(2);
        StoredFuture tombstone = futures().get("old-done").orElseThrow();
        assertThat(tombstone.state()).isEqualTo(FutureState.EXPIRED);
        assertThat(tombstone.result()).isNull();
        assertThat(tombstone.resultContentType()).isNull();
        assertThat(futures().get("old-failed").orElseThrow().errorMessage()).isNull();
        assertThat(futures().get("recent").orElseThrow().state()).isEqualTo(FutureState.DONE);

        assertThat(futures().deleteCompletedBefore(at(100))).isEqualTo(2);
        assertThat(futures().get("old-done")).isEmpty();
        assertThat(futures().get("recent")).isPresent();
        assertThat(futures().deleteCompletedBefore(at(10_000))).isEqualTo(1);
        assertThat(futures().get("pending")).isPresent();
    }
}
