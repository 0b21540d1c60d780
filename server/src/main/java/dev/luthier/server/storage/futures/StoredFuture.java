package dev.luthier.server.storage.futures;

import dev.luthier.server.futures.FutureOutcome;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * A future as persisted: the request, then either its encoded result or its error.
 *
 * @param operation         the request type, e.g. {@code ForwardBackward}
 * @param modelId           the training run or sampling session concerned, or null
 * @param resultContentType how {@code result} is encoded ({@code application/json}, {@code application/x-protobuf})
 * @param result            the encoded result when {@link FutureState#DONE}, else null
 * @param errorMessage      when {@link FutureState#FAILED}, else null
 * @param errorCategory     when {@link FutureState#FAILED}, else null
 * @param completedAt       when it finished, or null while pending
 */
public record StoredFuture(String requestId, String operation, String modelId, FutureState state,
                           String resultContentType, byte[] result, String errorMessage,
                           FutureOutcome.Category errorCategory, Instant createdAt, Instant completedAt) {
    public StoredFuture {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(createdAt, "createdAt");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StoredFuture f && requestId.equals(f.requestId) && operation.equals(f.operation)
                && Objects.equals(modelId, f.modelId) && state == f.state
                && Objects.equals(resultContentType, f.resultContentType) && Arrays.equals(result, f.result)
                && Objects.equals(errorMessage, f.errorMessage) && errorCategory == f.errorCategory
                && createdAt.equals(f.createdAt) && Objects.equals(completedAt, f.completedAt);
    }

    @Override
    public int hashCode() {
        return Objects.hash(requestId, operation, modelId, state, resultContentType, Arrays.hashCode(result),
                errorMessage, errorCategory, createdAt, completedAt);
    }

    @Override
    public String toString() {
        return "StoredFuture[" + requestId + " " + operation + " " + state
                + (result == null ? "" : " " + result.length + " bytes " + resultContentType)
                + (errorMessage == null ? "" : " " + errorCategory + ": " + errorMessage) + "]";
    }
}
