package dev.luthier.client.http;

import dev.luthier.client.errors.ApiException;
import dev.luthier.client.errors.LuthierException;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CancellationException;

/**
 * Sends a request until it gets an answer worth keeping: connection errors, timeouts and 408/409/429/5xx are sent
 * again after the policy's backoff until its budget is spent; any other non-2xx status is final.
 */
public final class Retrying {
    private Retrying() {
    }

    /** One attempt of a call. */
    @FunctionalInterface
    public interface Attempt {
        HttpResult send() throws IOException, InterruptedException;
    }

    /**
     * Runs {@code attempt} under {@code policy}.
     *
     * @param what names the call in error messages, e.g. {@code "POST create_model"}
     * @return a 2xx result
     * @throws ApiException         for a final non-2xx status (or a transient one that outlived the budget)
     * @throws LuthierException     when connection errors outlived the budget
     * @throws CancellationException when the thread is interrupted
     */
    public static HttpResult call(RetryPolicy policy, String what, Attempt attempt) {
        return call(policy, what, HttpResult::ok, attempt);
    }

    /** As {@link #call(RetryPolicy, String, Attempt)}, with {@code answered} deciding which results are kept. */
    public static HttpResult call(RetryPolicy policy, String what, java.util.function.Predicate<HttpResult> answered,
                                  Attempt attempt) {
        long deadline = System.nanoTime() + policy.budget().toNanos();
        int tries = 0;
        while (true) {
            try {
                HttpResult r;
                try {
                    r = attempt.send();
                } catch (IOException e) {
                    if (!sleepBeforeRetry(policy, tries++, deadline)) {
                        throw new LuthierException(what + " failed: " + describe(e), e);
                    }
                    continue;
                }
                if (answered.test(r)) {
                    return r;
                }
                boolean proxyGlitch = r.status() == 400 && (r.body() == null || r.body().length == 0);
                if ((RetryPolicy.retryableStatus(r.status()) || proxyGlitch) && sleepBeforeRetry(policy, tries++, deadline)) {
                    continue;
                }
                throw new ApiException(what, r.status(), r.detail());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw cancelled(what);
            }
        }
    }

    /** Sleeps the policy's delay for attempt {@code n} unless that would pass the deadline; false when out of budget. */
    static boolean sleepBeforeRetry(RetryPolicy policy, int n, long deadlineNanos) throws InterruptedException {
        Duration d = policy.delay(n);
        if (System.nanoTime() + d.toNanos() > deadlineNanos) {
            return false;
        }
        Thread.sleep(d);
        return true;
    }

    public static String describe(IOException e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    public static CancellationException cancelled(String what) {
        return new CancellationException(what + " was interrupted");
    }
}
