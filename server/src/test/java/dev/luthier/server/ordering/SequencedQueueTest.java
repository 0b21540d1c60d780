package dev.luthier.server.ordering;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SequencedQueueTest {
    private static final class MutableClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void runsOpsInSeqIdOrderWhateverTheArrivalOrder() {
        SequencedQueue<String> q = new SequencedQueue<>(Clock.systemUTC(), 1);
        q.submit(3, "r3", "third");
        q.submit(2, "r2", "second");
        assertThat(q.takeReady()).isEmpty();
        q.submit(1, "r1", "first");
        assertThat(q.takeReady()).extracting(SequencedQueue.Waiting::op).containsExactly("first", "second", "third");
        assertThat(q.nextSeqId()).isEqualTo(4);
    }

    @Test
    void aResentSeqIdReturnsTheOriginalRequestIdBeforeAndAfterItRan() {
        SequencedQueue<String> q = new SequencedQueue<>(Clock.systemUTC(), 1);
        assertThat(q.submit(2, "r2", "a").fresh()).isTrue();
        SequencedQueue.Admission again = q.submit(2, "other", "b");
        assertThat(again.fresh()).isFalse();
        assertThat(again.requestId()).isEqualTo("r2");
        q.submit(1, "r1", "x");
        assertThat(q.takeReady()).hasSize(2);
        assertThat(q.submit(1, "new", "y").requestId()).isEqualTo("r1");
    }

    @Test
    void aSeqIdBelowTheNextThatWasNeverSeenIsRefused() {
        SequencedQueue<String> q = new SequencedQueue<>(Clock.systemUTC(), 5);
        assertThatThrownBy(() -> q.submit(3, "r", "x")).hasMessageContaining("seq_id 3").hasMessageContaining("next expected is 5");
    }

    @Test
    void aGapThatNeverFillsFailsTheWaitingOpsAfterTheTimeoutAndTheRunContinues() {
        MutableClock clock = new MutableClock();
        SequencedQueue<String> q = new SequencedQueue<>(clock, 1);
        q.submit(2, "r2", "two");
        q.submit(3, "r3", "three");
        clock.now = clock.now.plusSeconds(30);
        assertThat(q.expireGap(Duration.ofSeconds(60))).isEmpty();
        clock.now = clock.now.plusSeconds(31);
        List<SequencedQueue.Waiting<String>> failed = q.expireGap(Duration.ofSeconds(60));
        assertThat(failed).extracting(SequencedQueue.Waiting::seqId).containsExactly(2L, 3L);
        assertThat(q.nextSeqId()).isEqualTo(4);
        q.submit(4, "r4", "four");
        assertThat(q.takeReady()).extracting(SequencedQueue.Waiting::op).containsExactly("four");
    }

    @Test
    void noGapMeansNothingExpires() {
        MutableClock clock = new MutableClock();
        SequencedQueue<String> q = new SequencedQueue<>(clock, 1);
        q.submit(1, "r1", "one");
        clock.now = clock.now.plusSeconds(3600);
        assertThat(q.expireGap(Duration.ofSeconds(60))).isEmpty();
        assertThat(q.hasReady()).isTrue();
    }
}
