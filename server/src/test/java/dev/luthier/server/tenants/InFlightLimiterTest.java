package dev.luthier.server.tenants;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class InFlightLimiterTest {
    @Test
    void aTenantGetsUpToItsLimitAndSlotsComeBack() {
        InFlightLimiter limiter = new InFlightLimiter();
        assertThat(limiter.tryAcquire("a", 2)).isTrue();
        assertThat(limiter.tryAcquire("a", 2)).isTrue();
        assertThat(limiter.tryAcquire("a", 2)).isFalse();
        assertThat(limiter.tryAcquire("b", 2)).isTrue();
        assertThat(limiter.inFlight("a")).isEqualTo(2);
        limiter.release("a");
        assertThat(limiter.tryAcquire("a", 2)).isTrue();
        for (int i = 0; i < 100; i++) {
            assertThat(limiter.tryAcquire("c", null)).isTrue();
        }
        assertThat(limiter.snapshot()).containsEntry("a", 2).containsEntry("b", 1).containsEntry("c", 100);
        limiter.release("b");
        assertThat(limiter.snapshot()).doesNotContainKey("b");
    }
}
