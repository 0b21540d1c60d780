package dev.luthier.server.futures;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class FutureStoreTest {
    private static final class MutableClock extends Clock {
        volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void aPendingRequestWaitsThenReportsPendingWithItsQueueState() throws Exception {
        FutureStore store = new FutureStore(Clock.systemUTC(), Duration.ofMinutes(10));
        String id = store.create("ForwardBackward");
        store.setQueueState(id, "paused_rate_limit");
        long start = System.nanoTime();
        FutureStore.Lookup r = store.await(id, Duration.ofMillis(200));
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(150));
        assertThat(r).isEqualTo(new FutureStore.Lookup.Pending("paused_rate_limit"));
    }

    @Test
    void aLongPollReturnsAsSoonAsTheResultArrives() throws Exception {
        FutureStore store = new FutureStore(Clock.systemUTC(), Duration.ofMinutes(10));
        String id = store.create("Sample");
        CompletableFuture<FutureStore.Lookup> poll = CompletableFuture.supplyAsync(() -> {
            try {
                return store.await(id, Duration.ofSeconds(20));
            } catch (InterruptedException e) {
                throw new RuntimeException(e);
            }
        });
        Thread.sleep(50);
        store.complete(id, FutureOutcome.success("payload"));
        FutureStore.Lookup r = poll.get(5, TimeUnit.SECONDS);
        assertThat(r).isEqualTo(new FutureStore.Lookup.Done(new FutureOutcome.Success("payload")));
    }

    @Test
    void resultsStayAfterDeliveryUntilRetentionThenAreGoneAndUnknownIdsAreUnknown() throws Exception {
        MutableClock clock = new MutableClock();
        FutureStore store = new FutureStore(clock, Duration.ofMinutes(10));
        String id = store.create("OptimStep");
        store.complete(id, FutureOutcome.userError("bad"));
        assertThat(store.await(id, Duration.ZERO)).isInstanceOf(FutureStore.Lookup.Done.class);
        assertThat(store.await(id, Duration.ZERO)).isInstanceOf(FutureStore.Lookup.Done.class);
        clock.now = clock.now.plus(Duration.ofMinutes(9));
        assertThat(store.evictExpired()).isZero();
        clock.now = clock.now.plus(Duration.ofMinutes(2));
        assertThat(store.evictExpired()).isEqualTo(1);
        assertThat(store.await(id, Duration.ZERO)).isInstanceOf(FutureStore.Lookup.Gone.class);
        assertThat(store.await("never-issued", Duration.ZERO)).isInstanceOf(FutureStore.Lookup.Unknown.class);
    }

    @Test
    void theFirstCompletionWins() throws Exception {
        FutureStore store = new FutureStore(Clock.systemUTC(), Duration.ofMinutes(10));
        String id = store.create("SaveWeights");
        store.complete(id, FutureOutcome.success(1));
        store.complete(id, FutureOutcome.serverError("late"));
        assertThat(store.await(id, Duration.ZERO)).isEqualTo(new FutureStore.Lookup.Done(new FutureOutcome.Success(1)));
    }
}
