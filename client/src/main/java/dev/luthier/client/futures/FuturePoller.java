package dev.luthier.client.futures;

import dev.luthier.api.WireFormatException;
import dev.luthier.api.future.FutureReply;
import dev.luthier.api.future.RetrieveFutureRequest;
import dev.luthier.api.json.WireJson;
import dev.luthier.api.proto.WireProto;
import dev.luthier.api.sampling.SampleResponse;
import dev.luthier.api.training.ForwardBackwardOutput;
import dev.luthier.client.errors.ApiException;
import dev.luthier.client.errors.FutureLostException;
import dev.luthier.client.errors.LuthierException;
import dev.luthier.client.errors.RequestFailedException;
import dev.luthier.client.http.HttpResult;
import dev.luthier.client.http.HttpTransport;
import dev.luthier.client.http.RetryPolicy;
import dev.luthier.client.http.Retrying;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Turns a request id into a {@link CompletableFuture} by long-polling {@code retrieve_future} on a virtual thread,
 * the way the Python SDK does:
 *
 * <ul>
 *   <li>408 or {@code {"type": "try_again"}}: poll again at once (the server held the request ~30 s);</li>
 *   <li>429: back off 1, 2, 4 ... 30 s;</li>
 *   <li>5xx and connection errors: back off 1, 2, 4 ... 30 s, within the retry budget;</li>
 *   <li>410: fail with {@link FutureLostException};</li>
 *   <li>{@code {"error": ..., "category": ...}}: fail with {@link RequestFailedException};</li>
 *   <li>400: poll up to 3 more times, then fail; other statuses fail at once with {@link ApiException}.</li>
 * </ul>
 *
 * Forward/backward and sample results are asked for as protobuf when the client speaks it, and decoded from whichever
 * format the server chose.
 */
public final class FuturePoller {
    private static final String PROTO_OR_JSON = WireProto.CONTENT_TYPE + ", " + HttpTransport.JSON;
    private final HttpTransport transport;
    private final Executor executor;
    private final RetryPolicy retry;
    private final Duration pollTimeout;
    private final boolean acceptProto;

    public FuturePoller(HttpTransport transport, Executor executor, RetryPolicy retry, Duration pollTimeout, boolean acceptProto) {
        this.transport = transport;
        this.executor = executor;
        this.retry = retry;
        this.pollTimeout = pollTimeout;
        this.acceptProto = acceptProto;
    }

    /**
     * Polls {@code requestId} until it finishes.
     *
     * @param requestType the {@code X-Tinker-Request-Type} label ({@code ForwardBackward}, {@code Sample}, ...)
     * @param type        the result record
     */
    public <T> CompletableFuture<T> poll(String requestId, String requestType, Class<T> type) {
        CompletableFuture<T> result = new CompletableFuture<>();
        executor.execute(() -> run(requestId, requestType, type, result));
        return result;
    }

    private <T> void run(String requestId, String requestType, Class<T> type, CompletableFuture<T> result) {
        boolean protoCapable = type == ForwardBackwardOutput.class || type == SampleResponse.class;
        String accept = acceptProto && protoCapable ? PROTO_OR_JSON : HttpTransport.JSON;
        byte[] body = WireJson.write(new RetrieveFutureRequest(requestId, false));
        int iteration = 0;
        int errors = 0;
        int rateLimited = 0;
        int badRequests = 0;
        long errorsSince = 0;
        try {
            while (!result.isDone()) {
                HttpResult r;
                try {
                    r = transport.send("POST", "retrieve_future", body, HttpTransport.JSON, pollTimeout,
                            "Accept", accept, "X-Tinker-Request-Iteration", Integer.toString(iteration++),
                            "X-Tinker-Request-Type", requestType);
                } catch (IOException e) {
                    if (errors == 0) {
                        errorsSince = System.nanoTime();
                    }
                    if (!backoff(errors++, errorsSince)) {
                        result.completeExceptionally(new LuthierException("polling request " + requestId + " failed: "
                                + Retrying.describe(e), e));
                    }
                    continue;
                }
                int status = r.status();
                if (status >= 500) {
                    if (errors == 0) {
                        errorsSince = System.nanoTime();
                    }
                    if (!backoff(errors++, errorsSince)) {
                        result.completeExceptionally(new ApiException("polling request " + requestId, status, r.detail()));
                    }
                    continue;
                }
                errors = 0;
                switch (status) {
                    case 200 -> deliver(requestId, type, r, result);
                    case 408 -> { }
                    case 429 -> Thread.sleep(new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ZERO)
                            .delay(rateLimited++));
                    case 410 -> result.completeExceptionally(new FutureLostException(requestId, r.detail()));
                    case 400 -> {
                        if (++badRequests > 3) {
                            result.completeExceptionally(new ApiException("polling request " + requestId, status, r.detail()));
                        }
                    }
                    default -> result.completeExceptionally(new ApiException("polling request " + requestId, status, r.detail()));
                }
            }
        } catch (InterruptedException e) {
            result.completeExceptionally(new CancellationException("polling request " + requestId + " was interrupted"));
        } catch (RuntimeException | Error e) {
            result.completeExceptionally(e);
        }
    }

    private boolean backoff(int attempt, long sinceNanos) throws InterruptedException {
        Duration d = retry.delay(attempt);
        if (System.nanoTime() + d.toNanos() - sinceNanos > retry.budget().toNanos()) {
            return false;
        }
        Thread.sleep(d);
        return true;
    }

    private static <T> void deliver(String requestId, Class<T> type, HttpResult r, CompletableFuture<T> result) {
        try {
            if (r.contentType().contains(WireProto.CONTENT_TYPE)) {
                Object decoded = type == ForwardBackwardOutput.class ? WireProto.decodeForwardBackwardOutput(r.body())
                        : type == SampleResponse.class ? WireProto.decodeSampleResponse(r.body()) : null;
                if (decoded == null) {
                    throw new WireFormatException("", "protobuf reply for a " + type.getSimpleName());
                }
                result.complete(type.cast(decoded));
                return;
            }
            switch (FutureReply.classify(r.body())) {
                case FutureReply.Failed f -> result.completeExceptionally(
                        new RequestFailedException(f.body().category(), f.body().error(), requestId));
                case FutureReply.Done d -> result.complete(d.as(type));
                case FutureReply.Pending p -> { }
                case FutureReply.Metadata m -> { }
            }
        } catch (WireFormatException e) {
            result.completeExceptionally(new LuthierException("the result of request " + requestId
                    + " could not be read as " + type.getSimpleName() + ": " + e.getMessage(), e));
        }
    }
}
