package dev.luthier.client.errors;

import dev.luthier.api.future.ErrorCategory;

/**
 * The server ran an asynchronous request and reported that it failed: {@code {"error": ..., "category": ...}}.
 * {@link ErrorCategory#USER} means the request itself was wrong (unknown loss, unknown base model, token outside the
 * vocabulary) and resending it will not help; {@link ErrorCategory#SERVER} is the server's fault.
 */
public class RequestFailedException extends LuthierException {
    private final ErrorCategory category;
    private final String requestId;
    private final String error;

    public RequestFailedException(ErrorCategory category, String error, String requestId) {
        super("request " + requestId + " failed (" + category.name().toLowerCase() + " error): " + error);
        this.category = category;
        this.error = error;
        this.requestId = requestId;
    }

    public ErrorCategory category() {
        return category;
    }

    /** The server's message, without the prefix this exception's message adds. */
    public String error() {
        return error;
    }

    public String requestId() {
        return requestId;
    }
}
