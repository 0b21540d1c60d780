package dev.luthier.server.storage;

import dev.luthier.server.storage.checkpoints.Checkpoint;
import dev.luthier.api.ids.CheckpointKind;
import dev.luthier.server.storage.checkpoints.CheckpointRepository;
import dev.luthier.api.ids.TinkerPath;
import dev.luthier.server.storage.db.Owner;
import dev.luthier.server.storage.db.PageRequest;
import dev.luthier.server.storage.futures.FutureResultRepository;
import dev.luthier.server.storage.futures.FutureState;
import dev.luthier.server.storage.futures.StoredFuture;
import dev.luthier.server.storage.runs.TrainingRun;
import dev.luthier.server.storage.sessions.Session;
import dev.luthier.server.storage.sessions.SessionRepository;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** API threads and the scheduler writing at once: no "database is locked", nothing lost. */
public interface ConcurrencyContract extends StorageFixture {
    int WRITERS = 8;
    int ROUNDS = 200;

    @Test
    default void concurrentFutureWritesAndHeartbeatsAreAllKept() throws Exception {
        FutureResultRepository futures = new FutureResultRepository(db());
        SessionRepository sessions = new SessionRepository(db());
        for (int w = 0; w < WRITERS; w++) {
            Fixtures.session(db(), "s-" + w, null, at(0));
        }
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS + 2);
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong reads = new AtomicLong();
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int writer = w;
                writers.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < ROUNDS; i++) {
                        String id = "w" + writer + "-" + i;
                        futures.insertPending(id, "ForwardBackward", "s-" + writer, at(i));
                        sessions.heartbeat("s-" + writer, at(1_000 + i));
                        futures.complete(id, "application/octet-stream", payload(writer, i), at(i + 1));
                    }
                    return null;
                }));
            }
            List<Future<?>> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                readers.add(pool.submit(() -> {
                    start.await();
                    while (writing.get()) {
                        futures.get("w0-0");
                        sessions.list(Owner.anyone(), PageRequest.first(5));
                        reads.incrementAndGet();
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : writers) {
                f.get(); // rethrows any StorageException ("database is locked")
            }
            writing.set(false);
            for (Future<?> f : readers) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(futures.count(FutureState.DONE)).isEqualTo((long) WRITERS * ROUNDS);
        assertThat(futures.count(FutureState.PENDING)).isZero();
        for (int w = 0; w < WRITERS; w++) {
            assertThat(sessions.get("s-" + w).orElseThrow().lastHeartbeatAt()).isEqualTo(at(1_000 + ROUNDS - 1));
            for (int i = 0; i < ROUNDS; i += 37) {
                StoredFuture f = futures.get("w" + w + "-" + i).orElseThrow();
                assertThat(f.result()).isEqualTo(payload(w, i));
            }
        }
        assertThat(reads.get()).isPositive();
    }

    /**
     * Transactions that read before they write (checkpoint replace and delete) are the ones SQLite cannot retry with
     * its busy timeout: a reader upgrading to a writer after another commit fails at once (SQLITE_BUSY_SNAPSHOT).
     */
    @Test
    default void concurrentReadThenWriteTransactionsNeverSeeALockedDatabase() throws Exception {
        CheckpointRepository checkpoints = new CheckpointRepository(db());
        Session s = Fixtures.session(db(), "s", null, at(0));
        TrainingRun run = Fixtures.run(db(), s, 0, at(0));
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int writer = w;
                writers.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < ROUNDS / 4; i++) {
                        TinkerPath shared = new TinkerPath(run.modelId(), CheckpointKind.WEIGHTS, "latest");
                        checkpoints.replace(Checkpoint.saved("c-" + writer + "-" + i, shared, "/d", (long) i, at(i), null));
                        TinkerPath own = new TinkerPath(run.modelId(), CheckpointKind.SAMPLER_WEIGHTS, "w" + writer + "-" + i);
                        checkpoints.insert(Checkpoint.saved("o-" + writer + "-" + i, own, "/d", null, at(i), null));
                        if (i % 2 == 1) {
                            checkpoints.delete(new TinkerPath(run.modelId(), CheckpointKind.SAMPLER_WEIGHTS,
                                    "w" + writer + "-" + (i - 1)).toString());
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : writers) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }

        // One "latest" plus, per writer, the odd-numbered sampler checkpoints.
        assertThat(checkpoints.listByRun(run.modelId(), PageRequest.first(1000)).totalCount())
                .isEqualTo(1 + (long) WRITERS * (ROUNDS / 8));
    }

    private static byte[] payload(int writer, int i) {
        return ByteBuffer.allocate(8).putInt(writer).putInt(i).array();
    }
}
