package dev.luthier.client.http;

import java.time.Duration;

/**
 * Backoff for transient failures (connection errors, timeouts, 408/409/429/5xx): sleeps of {@code initialDelay},
 * twice that, four times ... capped at {@code maxDelay}, for at most {@code budget} in total. The SDK's default is 1,
 * 2, 4 ... 30 s for up to 5 minutes, as the Python SDK's {@code execute_with_retries}.
 */
public record RetryPolicy(Duration initialDelay, Duration maxDelay, Duration budget) {
    public RetryPolicy {
        if (initialDelay.isNegative() || maxDelay.compareTo(initialDelay) < 0 || budget.isNegative()) {
            throw new IllegalArgumentException("need 0 <= initialDelay <= maxDelay and a non-negative budget");
        }
    }

    public static RetryPolicy defaults() {
        return new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMinutes(5));
    }

    /** No retries at all: the first failure is final. */
    public static RetryPolicy none() {
        return new RetryPolicy(Duration.ZERO, Duration.ZERO, Duration.ZERO);
    }

    /** The sleep before retry number {@code attempt} (0-based). */
    public Duration delay(int attempt) {
        long ms = initialDelay.toMillis();
        for (int i = 0; i < attempt && ms < maxDelay.toMillis(); i++) {
            ms *= 2;
        }
        return Duration.ofMillis(Math.min(ms, maxDelay.toMillis()));
    }

    /** True for the statuses worth sending again: 408, 409, 429 and every 5xx. */
    public static boolean retryableStatus(int status) {
        return status == 408 || status == 409 || status == 429 || status >= 500;
    }
}
