package dev.luthier.client.errors;

/** Base of every exception the SDK throws (or completes a future with). Unchecked, as in the Python SDK. */
public class LuthierException extends RuntimeException {
    public LuthierException(String message) {
        super(message);
    }

    public LuthierException(String message, Throwable cause) {
        super(message, cause);
    }
}
