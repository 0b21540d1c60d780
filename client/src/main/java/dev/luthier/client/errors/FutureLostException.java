package dev.luthier.client.errors;

/**
 * {@code retrieve_future} answered 410: the server knew the request but no longer has its result. A training request
 * fails with this; a sample is resubmitted.
 */
public class FutureLostException extends LuthierException {
    public FutureLostException(String requestId, String detail) {
        super("the result of request " + requestId + " is lost (HTTP 410)" + (detail == null ? "" : ": " + detail));
    }
}
