package dev.luthier.server.storage;

import dev.luthier.server.storage.dedupe.ClaimResult;
import dev.luthier.server.storage.dedupe.SeqClaim;
import dev.luthier.server.storage.dedupe.SeqCounter;
import dev.luthier.server.storage.dedupe.SeqDedupeRepository;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

public interface SeqDedupeRepositoryContract extends StorageFixture {
    private SeqDedupeRepository dedupe() {
        return new SeqDedupeRepository(db());
    }

    @Test
    default void seqClaimFirstIsFreshAndAResendGetsTheOriginal() {
        SeqClaim first = new SeqClaim("s", SeqCounter.TRAIN, 0, "s:train:0", "req-1", at(0));
        SeqClaim resend = new SeqClaim("s", SeqCounter.TRAIN, 0, "s:train:0", "req-2", at(5));

        assertThat(dedupe().claim(first)).isEqualTo(new ClaimResult(first, true));
        assertThat(dedupe().claim(resend)).isEqualTo(new ClaimResult(first, false));
        assertThat(dedupe().find("s", SeqCounter.TRAIN, 0)).contains(first);
    }

    @Test
    default void seqClaimCountersAndSessionsAreSeparate() {
        SeqClaim train = new SeqClaim("s", SeqCounter.TRAIN, 0, "s:train:0", "req-1", at(0));
        SeqClaim sample = new SeqClaim("s", SeqCounter.SAMPLE, 0, "s:sample:0", null, at(0));
        SeqClaim otherSession = new SeqClaim("t", SeqCounter.TRAIN, 0, "t:train:0", "req-3", at(0));

        assertThat(dedupe().claim(train).fresh()).isTrue();
        assertThat(dedupe().claim(sample).fresh()).isTrue();
        assertThat(dedupe().claim(otherSession).fresh()).isTrue();
        assertThat(dedupe().find("s", SeqCounter.SAMPLE, 0)).contains(sample);
        assertThat(dedupe().find("s", SeqCounter.SAMPLE, 1)).isEmpty();
    }

    @Test
    default void seqClaimRacingResendsYieldExactlyOneFreshClaim() throws Exception {
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Callable<ClaimResult>> tasks = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                String request = "req-" + i;
                tasks.add(() -> dedupe().claim(new SeqClaim("s", SeqCounter.TRAIN, 7, "s:train:7", request, at(0))));
            }
            List<ClaimResult> results = new ArrayList<>();
            for (Future<ClaimResult> f : pool.invokeAll(tasks)) {
                results.add(f.get());
            }
            assertThat(results).filteredOn(ClaimResult::fresh).hasSize(1);
            String winner = results.stream().filter(ClaimResult::fresh).findFirst().orElseThrow().claim().requestId();
            assertThat(results).allSatisfy(r -> assertThat(r.claim().requestId()).isEqualTo(winner));
        } finally {
            pool.shutdownNow();
        }
    }
}
